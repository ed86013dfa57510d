#include "ledger/crypto/openssl_error.h"

#include <openssl/err.h>

#include <utility>

namespace ledger {

std::string DrainOpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status OpenSslError(Code code, std::string reason, std::string_view what) {
  std::string message(what);
  std::string detail = DrainOpenSslErrors();
  if (!detail.empty()) message += ": " + detail;
  return Status(code, std::move(reason), std::move(message));
}

Status OpenSslError(std::string_view what) {
  return OpenSslError(Code::kInternal, "openssl_error", what);
}

}  // namespace ledger
