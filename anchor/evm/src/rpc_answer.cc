// Strict parsing of JSON-RPC answers. nlohmann::json is used with exceptions
// disabled at the boundary (parse(..., nullptr, false)) and every member is
// type-checked before use.
#include "evm/rpc_answer.h"

namespace anchor::evm::rpc {
namespace {

Status Malformed(std::string message) {
  return Status::InvalidArgument("rpc_malformed", std::move(message));
}

Result<const Json*> Member(const Json& obj, const char* name) {
  if (!obj.is_object()) return Malformed(std::string("expected an object holding ") + name);
  auto it = obj.find(name);
  if (it == obj.end()) return Malformed(std::string("missing ") + name);
  return &*it;
}

Result<std::string_view> HexString(const Json& v, const char* what) {
  if (!v.is_string()) return Malformed(std::string(what) + " is not a string");
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() < 2 || s[0] != '0' || s[1] != 'x') {
    return Malformed(std::string(what) + " lacks the 0x prefix");
  }
  return std::string_view(s).substr(2);
}

}  // namespace

Result<Json> ParseResponse(std::string_view body, uint64_t expected_id, RpcError* error_out) {
  if (body.size() > kMaxBody) return Malformed("response too large");
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Malformed("not a JSON object");
  auto version = doc.find("jsonrpc");
  if (version == doc.end() || !version->is_string() || *version != "2.0") {
    return Malformed("not a JSON-RPC 2.0 response");
  }
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_number_unsigned() || id->get<uint64_t>() != expected_id) {
    return Status::InvalidArgument("rpc_id_mismatch", "the response answers another request");
  }
  const bool has_result = doc.contains("result");
  const bool has_error = doc.contains("error");
  if (has_result == has_error) return Malformed("exactly one of result and error is required");
  if (has_result) return doc["result"];
  const Json& err = doc["error"];
  if (!err.is_object() || !err.contains("code") || !err["code"].is_number_integer() ||
      !err.contains("message") || !err["message"].is_string()) {
    return Malformed("malformed error object");
  }
  RpcError e;
  e.code = err["code"].get<int64_t>();
  e.message = err["message"].get<std::string>();
  if (auto d = err.find("data"); d != err.end() && d->is_string()) {
    auto bytes = ParseData(*d);
    if (bytes.ok()) e.data = std::move(bytes).value();
  }
  std::string message = "node error " + std::to_string(e.code) + ": " + e.message.substr(0, 300);
  if (error_out != nullptr) *error_out = std::move(e);
  return Status::Unavailable("rpc_error", std::move(message));
}

Result<uint64_t> ParseQuantity(const Json& v) {
  ASSIGN_OR_RETURN(U256 wide, ParseQuantity256(v));
  auto small = wide.ToU64();
  if (!small.ok()) return Malformed("quantity does not fit in 64 bits");
  return *small;
}

Result<U256> ParseQuantity256(const Json& v) {
  ASSIGN_OR_RETURN(std::string_view hex, HexString(v, "quantity"));
  // execution-apis: QUANTITY is compact hex, "0x0" for zero, no leading zeros.
  if (hex.empty() || hex.size() > 64 || (hex.size() > 1 && hex[0] == '0')) {
    return Malformed("quantity is not compact hex");
  }
  std::string even = hex.size() % 2 == 0 ? std::string(hex) : "0" + std::string(hex);
  auto bytes = ledger::HexDecode(even);
  if (!bytes.ok()) return Malformed("quantity is not hex");
  return U256::FromBytes(*bytes);
}

Result<Bytes> ParseData(const Json& v, size_t exact_size) {
  ASSIGN_OR_RETURN(std::string_view hex, HexString(v, "data"));
  auto bytes = ledger::HexDecode(hex);
  if (!bytes.ok()) return Malformed("data is not even-length hex");
  if (exact_size != 0 && bytes->size() != exact_size) {
    return Malformed("data has " + std::to_string(bytes->size()) + " bytes, expected " +
                     std::to_string(exact_size));
  }
  return bytes;
}

Result<Hash> ParseHash(const Json& v) {
  ASSIGN_OR_RETURN(Bytes b, ParseData(v, Hash::kSize));
  return *Hash::FromBytes(b);
}

Result<Address> ParseAddress(const Json& v) {
  ASSIGN_OR_RETURN(Bytes b, ParseData(v, Address::kSize));
  return *Address::FromBytes(b);
}

Result<Log> ParseLog(const Json& v) {
  Log log;
  ASSIGN_OR_RETURN(const Json* address, Member(v, "address"));
  ASSIGN_OR_RETURN(log.address, ParseAddress(*address));
  ASSIGN_OR_RETURN(const Json* topics, Member(v, "topics"));
  if (!topics->is_array() || topics->size() > 4) return Malformed("topics is not an array of <= 4");
  for (const Json& t : *topics) {
    ASSIGN_OR_RETURN(Hash h, ParseHash(t));
    log.topics.push_back(h);
  }
  ASSIGN_OR_RETURN(const Json* data, Member(v, "data"));
  ASSIGN_OR_RETURN(log.data, ParseData(*data));
  ASSIGN_OR_RETURN(const Json* number, Member(v, "blockNumber"));
  ASSIGN_OR_RETURN(log.block_number, ParseQuantity(*number));
  ASSIGN_OR_RETURN(const Json* block, Member(v, "blockHash"));
  ASSIGN_OR_RETURN(log.block_hash, ParseHash(*block));
  ASSIGN_OR_RETURN(const Json* tx, Member(v, "transactionHash"));
  ASSIGN_OR_RETURN(log.tx_hash, ParseHash(*tx));
  ASSIGN_OR_RETURN(const Json* index, Member(v, "logIndex"));
  ASSIGN_OR_RETURN(log.log_index, ParseQuantity(*index));
  if (auto r = v.find("removed"); r != v.end()) {
    if (!r->is_boolean()) return Malformed("removed is not a boolean");
    log.removed = r->get<bool>();
  }
  return log;
}

Result<std::vector<Log>> ParseLogs(const Json& v) {
  if (!v.is_array()) return Malformed("logs is not an array");
  std::vector<Log> out;
  for (const Json& l : v) {
    ASSIGN_OR_RETURN(Log log, ParseLog(l));
    out.push_back(std::move(log));
  }
  return out;
}

Result<std::optional<Receipt>> ParseReceipt(const Json& v, const Hash& expected_tx) {
  if (v.is_null()) return std::optional<Receipt>();
  Receipt r;
  ASSIGN_OR_RETURN(const Json* tx, Member(v, "transactionHash"));
  ASSIGN_OR_RETURN(r.tx_hash, ParseHash(*tx));
  if (r.tx_hash != expected_tx) {
    return Status::VerificationFailed("rpc_receipt_mismatch",
                                      "the node returned the receipt of " + r.tx_hash.Hex() +
                                          " for " + expected_tx.Hex());
  }
  ASSIGN_OR_RETURN(const Json* block, Member(v, "blockHash"));
  ASSIGN_OR_RETURN(r.block_hash, ParseHash(*block));
  ASSIGN_OR_RETURN(const Json* number, Member(v, "blockNumber"));
  ASSIGN_OR_RETURN(r.block_number, ParseQuantity(*number));
  ASSIGN_OR_RETURN(const Json* status, Member(v, "status"));
  ASSIGN_OR_RETURN(uint64_t status_value, ParseQuantity(*status));
  if (status_value > 1) return Malformed("status is neither 0x0 nor 0x1");
  r.success = status_value == 1;
  ASSIGN_OR_RETURN(const Json* gas, Member(v, "gasUsed"));
  ASSIGN_OR_RETURN(r.gas_used, ParseQuantity(*gas));
  if (auto p = v.find("effectiveGasPrice"); p != v.end()) {
    ASSIGN_OR_RETURN(r.effective_gas_price, ParseQuantity256(*p));
  }
  ASSIGN_OR_RETURN(const Json* from, Member(v, "from"));
  ASSIGN_OR_RETURN(r.from, ParseAddress(*from));
  if (auto to = v.find("to"); to != v.end() && !to->is_null()) {
    ASSIGN_OR_RETURN(r.to, ParseAddress(*to));
  }
  if (auto c = v.find("contractAddress"); c != v.end() && !c->is_null()) {
    ASSIGN_OR_RETURN(r.contract_address, ParseAddress(*c));
  }
  ASSIGN_OR_RETURN(const Json* logs, Member(v, "logs"));
  ASSIGN_OR_RETURN(r.logs, ParseLogs(*logs));
  for (const Log& l : r.logs) {
    if (l.tx_hash != r.tx_hash || l.block_hash != r.block_hash) {
      return Malformed("a receipt log names another transaction or block");
    }
  }
  return std::optional<Receipt>(std::move(r));
}

Result<std::optional<Block>> ParseBlock(const Json& v) {
  if (v.is_null()) return std::optional<Block>();
  Block b;
  ASSIGN_OR_RETURN(const Json* number, Member(v, "number"));
  ASSIGN_OR_RETURN(b.number, ParseQuantity(*number));
  ASSIGN_OR_RETURN(const Json* hash, Member(v, "hash"));
  ASSIGN_OR_RETURN(b.hash, ParseHash(*hash));
  ASSIGN_OR_RETURN(const Json* parent, Member(v, "parentHash"));
  ASSIGN_OR_RETURN(b.parent_hash, ParseHash(*parent));
  ASSIGN_OR_RETURN(const Json* ts, Member(v, "timestamp"));
  ASSIGN_OR_RETURN(b.timestamp, ParseQuantity(*ts));
  if (auto fee = v.find("baseFeePerGas"); fee != v.end() && !fee->is_null()) {
    ASSIGN_OR_RETURN(b.base_fee_per_gas, ParseQuantity256(*fee));
  }
  return std::optional<Block>(std::move(b));
}

}  // namespace anchor::evm::rpc
