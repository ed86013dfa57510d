// Fuzzes the JSON-RPC answer parsers with arbitrary bodies: the envelope,
// then every typed parser on whatever "result" holds. A parser may refuse,
// never crash; a receipt it accepts must be for the transaction asked about.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "evm/keccak.h"
#include "evm/rpc_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace rpc = anchor::evm::rpc;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  rpc::RpcError error;
  auto result = rpc::ParseResponse(body, 1, &error);
  if (!result.ok()) return 0;
  const rpc::Json& v = *result;
  (void)rpc::ParseQuantity(v);
  (void)rpc::ParseData(v);
  (void)rpc::ParseHash(v);
  (void)rpc::ParseLogs(v);
  (void)rpc::ParseBlock(v);
  const auto expected = anchor::evm::Keccak256::Digest("fuzz");
  auto receipt = rpc::ParseReceipt(v, expected);
  if (receipt.ok() && receipt->has_value() && (*receipt)->tx_hash != expected) std::abort();
  return 0;
}
