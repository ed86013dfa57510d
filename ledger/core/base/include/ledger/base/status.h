// Status and Result<T>: the one error convention of the project.
//
// A Status carries a category (Code), a stable machine-readable reason
// (snake_case, part of the public contract: HTTP error bodies and CLI --json
// output expose it) and a human-readable message. Result<T> holds either a
// value or a non-OK Status, shaped like std::expected.
//
// Thread-safety: values; safe to copy between threads.
#pragma once

#include <cstdlib>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ledger {

class Status;
namespace internal {
[[noreturn]] void ValueOfFailedResult(const Status& s);
}

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the input is malformed or out of range
  kNotFound,            // the thing asked for does not exist
  kFailedPrecondition,  // the system is not in a state to do this
  kUnavailable,         // transient; retry may succeed
  kCorruption,          // stored data does not match what was signed
  kVerificationFailed,  // a signature or proof does not check
  kInternal,            // a bug or a foreign library failure
};

// Stable name of a code ("invalid_argument", ...).
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string reason, std::string message) {
    return {Code::kInvalidArgument, std::move(reason), std::move(message)};
  }
  static Status NotFound(std::string reason, std::string message) {
    return {Code::kNotFound, std::move(reason), std::move(message)};
  }
  static Status FailedPrecondition(std::string reason, std::string message) {
    return {Code::kFailedPrecondition, std::move(reason), std::move(message)};
  }
  static Status Unavailable(std::string reason, std::string message) {
    return {Code::kUnavailable, std::move(reason), std::move(message)};
  }
  static Status Corruption(std::string reason, std::string message) {
    return {Code::kCorruption, std::move(reason), std::move(message)};
  }
  static Status VerificationFailed(std::string reason, std::string message) {
    return {Code::kVerificationFailed, std::move(reason), std::move(message)};
  }
  static Status Internal(std::string reason, std::string message) {
    return {Code::kInternal, std::move(reason), std::move(message)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Stable snake_case identifier of the specific failure, e.g. "leaf_too_large".
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  // "<code>/<reason>: <message>", or "ok".
  std::string ToString() const;

  // Prefixes the message with context, keeping code and reason.
  Status Annotate(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string reason_;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) std::abort();  // an OK status carries no value
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

 private:
  T& Checked() {
    if (!ok()) internal::ValueOfFailedResult(std::get<Status>(v_));  // programming error
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace ledger

#define LEDGER_CONCAT_INNER(a, b) a##b
#define LEDGER_CONCAT(a, b) LEDGER_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    ::ledger::Status ledger_status_ = (expr);   \
    if (!ledger_status_.ok()) return ledger_status_; \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(LEDGER_CONCAT(ledger_result_, __LINE__), lhs, expr)

// Programming errors abort: the notary must never continue past a broken invariant.
#define LEDGER_CHECK(cond)                                                   \
  do {                                                                       \
    if (!(cond)) ::ledger::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace ledger::internal {
[[noreturn]] void CheckFailed(const char* cond, const char* file, int line);
}
