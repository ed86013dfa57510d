// anchord's view of ledgerd's HTTP API (ledger/ledgerd/README.md): the
// log's size (GET /healthz), the notary-signed registry statement for the
// current head with a consistency proof (POST /v1/anchor/statement, the one
// call that presents anchord's token), and appending a stamped entry (POST
// /v1/entries, authenticated by the entry's stamp). Answers are parsed strictly:
// ledgerd is another process, and what it says is checked again by anchord
// (checkpoint signature, consistency proof, statement signature) before use.
//
// Thread-safety: one client per thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evm/types.h"
#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/tls/client_tls.h"

namespace anchor::anchord {

struct SignedHead {
  uint64_t size = 0;
  ledger::Hash root;
  ledger::Hash map_root;
  uint64_t chain_id = 0;
  evm::Address contract;
  std::string checkpoint;  // the signed note
  std::array<uint8_t, 65> signature{};
  // With a `from` size: the root there and the RFC 9162 proof from it.
  std::optional<uint64_t> from;
  ledger::Hash from_root;
  std::vector<ledger::Hash> consistency_proof;
};

struct Appended {
  uint64_t index = 0;
  bool duplicate = false;  // the request id was already in the log
};

// anchord's credential for POST /v1/anchor/statement, as its token file
// (--ledgerd-token-file) holds it: one line "<name>:<token>", the user id and
// password of HTTP Basic (RFC 7617) that ledgerd checks against its
// --anchor-tokens line "<name>:<hex SHA-256 of the token>". The text is
// untrusted input: InvalidArgument("bad_token_file") when it is empty, has
// more than one line, lacks the name or the token, or holds a space or a
// control character. Returns the line without its newline.
ledger::Result<std::string> ParseLedgerdToken(std::string_view text);

class LedgerdClient {
 public:
  // `url`: http(s)://host:port. InvalidArgument("bad_url") otherwise;
  // InvalidArgument("credentials_over_plaintext") for http:// to a host that
  // is not loopback (the token would travel in clear).
  // `token`: "<name>:<token>" (ParseLedgerdToken), sent with statements only.
  // `tls`: for https, the CA ledgerd's certificate chains to (default: the
  // system's store) and a client certificate if ledgerd asks for one
  // (ledger/tls/client_tls.h, its errors).
  static ledger::Result<std::unique_ptr<LedgerdClient>> Create(
      const std::string& url, const std::string& token, const ledger::tls::ClientTls& tls = {});
  ~LedgerdClient();

  // Unavailable("ledgerd_unavailable") when it does not answer or is not
  // serving; InvalidArgument("ledgerd_malformed") for an answer that does
  // not parse; ledgerd's own error (code, reason) when it refuses, e.g.
  // InvalidArgument("unauthenticated") for a token it does not list.
  ledger::Result<uint64_t> Size();
  ledger::Result<SignedHead> Statement(std::optional<uint64_t> from);
  ledger::Result<Appended> Append(ledger::ByteView event_bytes, ledger::ByteView stamp);

 private:
  class Http;
  explicit LedgerdClient(std::unique_ptr<Http> http);
  std::unique_ptr<Http> http_;
};

}  // namespace anchor::anchord
