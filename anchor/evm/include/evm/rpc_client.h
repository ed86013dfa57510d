// An Ethereum JSON-RPC client over HTTP(S) (cpp-httplib). Every answer goes
// through the strict parsers of rpc_answer.h; on top of them the client
// checks what a lying node could get wrong: the chain id it reports, the
// hash of a transaction it accepted, the receipt it returns. Transport
// failures are Unavailable("rpc_unavailable") so callers can retry.
//
// Thread-safety: one RpcClient per thread (it keeps a request counter and
// an HTTP connection).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "evm/rpc_answer.h"
#include "evm/types.h"

namespace anchor::evm::rpc {

struct ClientOptions {
  // Per request. Default: 10 s.
  std::chrono::milliseconds timeout{10000};
  // A PEM file of CA certificates that an https:// endpoint must chain to.
  // Default: the system's store.
  std::string ca_file;
};

// A block selector: a number, or one of "latest", "pending", "safe", "finalized".
struct BlockTag {
  std::optional<uint64_t> number;
  std::string tag = "latest";
  Json ToJson() const;
};

struct LogFilter {
  Address address;
  std::vector<std::optional<Hash>> topics;  // nullopt: any value at that position
  uint64_t from_block = 0;
  std::optional<uint64_t> to_block;  // nullopt: latest
};

struct FeeSuggestion {
  U256 base_fee;      // of the latest block
  U256 priority_fee;  // eth_maxPriorityFeePerGas
};

class Client {
 public:
  // `url`: http://host:port[/path] or https://host[:port][/path].
  static Result<std::unique_ptr<Client>> Create(const std::string& url,
                                                ClientOptions options = {});
  ~Client();

  // One request; `error_out` receives the node's error object on rpc_error.
  Result<Json> Call(const std::string& method, Json params, RpcError* error_out = nullptr);

  Result<uint64_t> ChainId();
  // FailedPrecondition("wrong_chain") unless the node reports `expected`.
  Status ExpectChainId(uint64_t expected);
  Result<uint64_t> BlockNumber();
  Result<uint64_t> GetTransactionCount(const Address& a, const BlockTag& at);
  Result<FeeSuggestion> SuggestFees();
  // Returns the hash the node reports, refused (rpc_tx_hash_mismatch) if it
  // is not keccak256(raw).
  Result<Hash> SendRawTransaction(ByteView raw);
  Result<std::optional<Receipt>> GetTransactionReceipt(const Hash& tx);
  Result<std::optional<Block>> GetBlockByNumber(const BlockTag& at);
  // A block whose hash is not the one asked for is refused (rpc_block_mismatch).
  Result<std::optional<Block>> GetBlockByHash(const Hash& hash);
  // eth_call; a revert is rpc_error with the revert data in `error_out`.
  Result<Bytes> CallContract(const Address& to, ByteView data, const BlockTag& at,
                             RpcError* error_out = nullptr);
  Result<uint64_t> EstimateGas(const Address& from, const Address& to, ByteView data,
                               RpcError* error_out = nullptr);
  Result<Bytes> GetCode(const Address& a, const BlockTag& at);
  // Logs must come from the filtered address and block range (else rpc_malformed).
  Result<std::vector<Log>> GetLogs(const LogFilter& filter);

 private:
  class Transport;
  Client(std::unique_ptr<Transport> transport);
  std::unique_ptr<Transport> transport_;
  uint64_t next_id_ = 1;
};

}  // namespace anchor::evm::rpc
