// Parsers of Ethereum JSON-RPC answers (execution-apis, "eth" namespace).
// An RPC endpoint is untrusted: these parsers accept only well-formed
// JSON-RPC 2.0 responses with the request's id, QUANTITY values in canonical
// form ("0x0" or no leading zeros), DATA of the exact size a field needs, and
// they never throw. Reasons (stable):
//   rpc_malformed    the body is not a JSON-RPC 2.0 response or a field is malformed
//   rpc_id_mismatch  the response answers another request
//   rpc_error        the node returned an error object (its code, message and
//                    revert data are kept in RpcError)
//
// Thread-safety: pure functions and value types.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "evm/types.h"

namespace anchor::evm::rpc {

using Json = nlohmann::json;

// Bodies above this size are refused before parsing.
inline constexpr size_t kMaxBody = 16 << 20;

struct RpcError {
  int64_t code = 0;
  std::string message;
  Bytes data;  // revert data when the node supplies it (custom error selector + args)
};

// The "result" member, or the error. `error_out` receives the error object
// when the reason is rpc_error.
Result<Json> ParseResponse(std::string_view body, uint64_t expected_id,
                           RpcError* error_out = nullptr);

Result<uint64_t> ParseQuantity(const Json& v);
Result<U256> ParseQuantity256(const Json& v);
// DATA: "0x" + even hex. `exact_size` 0 means any size.
Result<Bytes> ParseData(const Json& v, size_t exact_size = 0);
Result<Hash> ParseHash(const Json& v);
Result<Address> ParseAddress(const Json& v);

struct Log {
  Address address;
  std::vector<Hash> topics;
  Bytes data;
  uint64_t block_number = 0;
  Hash block_hash;
  Hash tx_hash;
  uint64_t log_index = 0;
  bool removed = false;
};

struct Receipt {
  Hash tx_hash;
  Hash block_hash;
  uint64_t block_number = 0;
  bool success = false;  // status 0x1
  uint64_t gas_used = 0;
  U256 effective_gas_price;
  Address from;
  std::optional<Address> to;
  std::optional<Address> contract_address;
  std::vector<Log> logs;
};

struct Block {
  uint64_t number = 0;
  Hash hash;
  Hash parent_hash;
  uint64_t timestamp = 0;
  std::optional<U256> base_fee_per_gas;
};

Result<Log> ParseLog(const Json& v);
Result<std::vector<Log>> ParseLogs(const Json& v);
// null -> nullopt (not mined yet). A receipt whose transactionHash is not
// `expected_tx` is refused (rpc_receipt_mismatch).
Result<std::optional<Receipt>> ParseReceipt(const Json& v, const Hash& expected_tx);
// null -> nullopt (no such block).
Result<std::optional<Block>> ParseBlock(const Json& v);

}  // namespace anchor::evm::rpc
