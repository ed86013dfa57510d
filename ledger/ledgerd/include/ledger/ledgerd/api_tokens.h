// Who may call ledgerd's protected routes: GET/POST /v1/export
// (--export-tokens) and POST /v1/anchor/statement (--anchor-tokens).
//
// A token file lists "<name>:<hex SHA-256 of the token>" lines: only digests
// are on disk, like htpasswd. Callers present the name and the token with
// HTTP Basic (RFC 7617), "Authorization: Basic base64(name:token)"; Basic
// rather than a bearer header so that a plain link (the explorer's Export
// button) works, and the same for every route. Each route has its own file:
// a token grants one right, and ledgerd refuses to start when two files
// share a token (server.h).
//
// Thread-safety: immutable after Load; Authenticate may be called from any
// thread.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger::ledgerd {

class ApiTokens {
 public:
  // The file is untrusted input. InvalidArgument("bad_token_file") for an
  // empty file, a line that is not "<name>:<64 hex digits>" (a plaintext
  // token, an empty name, a name with a colon or a control character) or a
  // repeated name; NotFound("no_such_file") when it cannot be read.
  static Result<ApiTokens> Load(const std::string& path);

  // The name in an "Authorization: Basic ..." header whose token matches
  // (digests compared in constant time, unknown names too); nullopt for
  // anything else (no header, another scheme, bad base64, wrong token).
  std::optional<std::string> Authenticate(const std::string& authorization) const;

  // True when a token of `other` is also one of these (the same digest).
  bool SharesTokenWith(const ApiTokens& other) const;

 private:
  std::map<std::string, Hash> digests_;
};

}  // namespace ledger::ledgerd
