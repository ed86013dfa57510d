// anchord's view of ledgerd's HTTP API (ledger/ledgerd/README.md): the
// log's size (GET /healthz), the notary-signed registry statement for the
// current head with a consistency proof (POST /v1/anchor/statement), and
// appending a stamped entry (POST /v1/entries). Answers are parsed strictly:
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
#include <vector>

#include "evm/types.h"
#include "ledger/bytes.h"
#include "ledger/hash.h"
#include "ledger/status.h"

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

class LedgerdClient {
 public:
  // `url`: http://host:port. InvalidArgument("bad_url") otherwise.
  static ledger::Result<std::unique_ptr<LedgerdClient>> Create(const std::string& url);
  ~LedgerdClient();

  // Unavailable("ledgerd_unavailable") when it does not answer or is not
  // serving; InvalidArgument("ledgerd_malformed") for an answer that does
  // not parse; ledgerd's own error (code, reason) when it refuses.
  ledger::Result<uint64_t> Size();
  ledger::Result<SignedHead> Statement(std::optional<uint64_t> from);
  ledger::Result<Appended> Append(ledger::ByteView event_bytes, ledger::ByteView stamp);

 private:
  class Http;
  explicit LedgerdClient(std::unique_ptr<Http> http);
  std::unique_ptr<Http> http_;
};

}  // namespace anchor::anchord
