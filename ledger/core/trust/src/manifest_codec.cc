// Submitter list encoding (manifest_codec.h).
#include "manifest_codec.h"

#include <algorithm>

#include "ledger/note/note.h"
#include "ledger/record/ownership.h"

namespace ledger::internal {
namespace {

template <typename T, typename Key>
bool StrictlyIncreasing(const std::vector<T>& v, Key key) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (!(key(v[i - 1]) < key(v[i]))) return false;
  }
  return true;
}

// What only the notary writes may not be granted (ownership.h): a
// submitter-stamped ENCLAVE_BOOTED or POLICY_CHANGED would read as the
// notary's own record.
std::optional<std::string> GrantDefect(const ManifestSubmitter& s) {
  for (EventKind k : s.kinds) {
    if (IsNotaryKind(k)) {
      return "is granted " + std::string(EventKindName(k)) + ", the notary's own";
    }
  }
  if (s.subjects.empty() || s.subjects.size() > 255) return "needs 1..255 subject prefixes";
  for (const std::string& p : s.subjects) {
    if (p.size() > 255 || !IsValidUtf8(p) || p.find('\0') != std::string::npos) {
      return "has a bad subject prefix";
    }
    if (IsNotarySubject(p)) return "is granted subjects '" + p + "', the notary's own";
  }
  if (!StrictlyIncreasing(s.subjects, [](const std::string& p) { return p; })) {
    return "lists a subject prefix twice";
  }
  return std::nullopt;
}

}  // namespace

bool IsName(std::string_view s) {
  return s.size() <= kMaxManifestNameSize && note::IsValidKeyName(s);
}

// C2SP vkeys and the typed keys of stamp.md both fit.
bool IsKeyString(std::string_view s) {
  if (s.empty() || s.size() > kMaxManifestKeySize) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

void AppendStr8(Bytes& out, std::string_view s) {
  AppendU8(out, static_cast<uint8_t>(s.size()));
  Append(out, s);
}

void AppendStr16(Bytes& out, std::string_view s) {
  AppendU16BE(out, static_cast<uint16_t>(s.size()));
  Append(out, s);
}

Result<std::string> ReadStr8(ByteReader& r) {
  ASSIGN_OR_RETURN(uint8_t n, r.U8());
  ASSIGN_OR_RETURN(ByteView v, r.Take(n));
  return std::string(AsString(v));
}

Result<std::string> ReadStr16(ByteReader& r) {
  ASSIGN_OR_RETURN(uint16_t n, r.U16BE());
  ASSIGN_OR_RETURN(ByteView v, r.Take(n));
  return std::string(AsString(v));
}

void SortSubmitters(std::vector<ManifestSubmitter>& submitters) {
  std::sort(submitters.begin(), submitters.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& s : submitters) {
    std::sort(s.kinds.begin(), s.kinds.end());
    std::sort(s.subjects.begin(), s.subjects.end());
  }
}

std::optional<std::string> SubmittersDefect(const std::vector<ManifestSubmitter>& sorted) {
  if (sorted.size() > 255) return "at most 255 submitters";
  for (const auto& s : sorted) {
    if (!IsName(s.name)) return "submitter name '" + s.name + "' is not a valid key name";
    if (!IsKeyString(s.verifier_key)) return "submitter '" + s.name + "' has a bad key string";
    if (s.kinds.empty() || s.kinds.size() > 255) return "submitter '" + s.name + "' needs 1..255 kinds";
    for (EventKind k : s.kinds) {
      if (EventKindName(k).empty()) return "submitter '" + s.name + "' has an unknown kind";
    }
    if (!StrictlyIncreasing(s.kinds, [](EventKind k) { return k; })) {
      return "submitter '" + s.name + "' lists a kind twice";
    }
    if (auto defect = GrantDefect(s)) return "submitter '" + s.name + "' " + *defect;
  }
  if (!StrictlyIncreasing(sorted, [](const auto& s) { return s.name; })) {
    return "submitter names must be distinct";
  }
  return std::nullopt;
}

void AppendSubmitters(Bytes& out, const std::vector<ManifestSubmitter>& submitters) {
  AppendU8(out, static_cast<uint8_t>(submitters.size()));
  for (const auto& s : submitters) {
    AppendStr8(out, s.name);
    AppendStr16(out, s.verifier_key);
    AppendU8(out, static_cast<uint8_t>(s.kinds.size()));
    for (EventKind k : s.kinds) AppendU16BE(out, static_cast<uint16_t>(k));
    AppendU8(out, static_cast<uint8_t>(s.subjects.size()));
    for (const std::string& p : s.subjects) AppendStr8(out, p);
  }
}

Result<std::vector<ManifestSubmitter>> ReadSubmitters(ByteReader& r) {
  std::vector<ManifestSubmitter> out;
  ASSIGN_OR_RETURN(uint8_t n_subs, r.U8());
  for (uint8_t i = 0; i < n_subs; ++i) {
    ManifestSubmitter s;
    ASSIGN_OR_RETURN(s.name, ReadStr8(r));
    ASSIGN_OR_RETURN(s.verifier_key, ReadStr16(r));
    ASSIGN_OR_RETURN(uint8_t n_kinds, r.U8());
    for (uint8_t k = 0; k < n_kinds; ++k) {
      ASSIGN_OR_RETURN(uint16_t kind, r.U16BE());
      s.kinds.push_back(static_cast<EventKind>(kind));
    }
    ASSIGN_OR_RETURN(uint8_t n_subjects, r.U8());
    for (uint8_t k = 0; k < n_subjects; ++k) {
      ASSIGN_OR_RETURN(std::string prefix, ReadStr8(r));
      s.subjects.push_back(std::move(prefix));
    }
    out.push_back(std::move(s));
  }
  return out;
}

Status VerifyOperatorApprovals(const Manifest& m, const Hash& digest, ByteView message,
                               std::span<const Approval> approvals,
                               const std::string& other_digest_reason) {
  std::vector<std::string> approved;
  for (const Approval& a : approvals) {
    if (a.manifest_digest != digest) {
      return Status::VerificationFailed(other_digest_reason, "approval by '" + a.operator_name +
                                                                 "' is for " +
                                                                 a.manifest_digest.Hex());
    }
    const ManifestOperator* op = FindOperator(m, a.operator_name);
    if (op == nullptr) {
      return Status::VerificationFailed("unknown_operator",
                                        "'" + a.operator_name + "' is not an operator");
    }
    if (std::find(approved.begin(), approved.end(), a.operator_name) != approved.end()) {
      return Status::VerificationFailed("duplicate_approval",
                                        "'" + a.operator_name + "' approved twice");
    }
    if (!op->public_key.Verify(message, a.signature).ok()) {
      return Status::VerificationFailed("bad_approval_signature",
                                        "approval by '" + a.operator_name + "' does not verify");
    }
    approved.push_back(a.operator_name);
  }
  if (approved.size() < m.threshold) {
    return Status::VerificationFailed(
        "insufficient_approvals", std::to_string(approved.size()) + " approvals, need " +
                                      std::to_string(m.threshold));
  }
  return Status::Ok();
}

}  // namespace ledger::internal
