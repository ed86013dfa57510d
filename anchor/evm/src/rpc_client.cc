// JSON-RPC over cpp-httplib. The one place HTTP errors become Status.
#include "evm/rpc_client.h"

#include <httplib.h>

#include "evm/keccak.h"

namespace anchor::evm::rpc {

class Client::Transport {
 public:
  Transport(const std::string& base, std::string path, const ClientOptions& options)
      : client_(base), path_(std::move(path)) {
    const auto timeout = options.timeout;
    client_.set_connection_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout));
    client_.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout));
    client_.set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout));
    client_.set_keep_alive(true);
    // On a kept-alive connection httplib writes headers and body separately;
    // with Nagle's algorithm the body then waits for the server's delayed
    // ACK (40 ms on Linux) on every call.
    client_.set_tcp_nodelay(true);
    if (!options.ca_file.empty()) client_.set_ca_cert_path(options.ca_file.c_str());
    client_.enable_server_certificate_verification(true);
  }

  Result<std::string> Post(const std::string& body) {
    auto res = client_.Post(path_, body, "application/json");
    if (!res) {
      return Status::Unavailable("rpc_unavailable",
                                 "RPC endpoint unreachable: " + httplib::to_string(res.error()));
    }
    if (res->status != 200) {
      return Status::Unavailable("rpc_unavailable",
                                 "RPC endpoint answered HTTP " + std::to_string(res->status));
    }
    return res->body;
  }

 private:
  httplib::Client client_;
  std::string path_;
};

namespace {

// execution-apis QUANTITY: compact hex, "0x0" for zero.
std::string Quantity(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  do {
    hex.insert(hex.begin(), kDigits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + hex;
}

}  // namespace

Json BlockTag::ToJson() const { return number ? Json(Quantity(*number)) : Json(tag); }

Client::Client(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Create(const std::string& url, ClientOptions options) {
  // scheme://authority[/path]
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return Status::InvalidArgument("bad_rpc_url", "expected http://host:port[/path]");
  }
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("bad_rpc_url", "only http and https endpoints are supported");
  }
  auto path_start = url.find('/', scheme_end + 3);
  std::string base = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (base.size() <= scheme_end + 3) return Status::InvalidArgument("bad_rpc_url", "no host");
  return std::unique_ptr<Client>(
      new Client(std::make_unique<Transport>(base, std::move(path), options)));
}

Result<Json> Client::Call(const std::string& method, Json params, RpcError* error_out) {
  const uint64_t id = next_id_++;
  Json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  ASSIGN_OR_RETURN(std::string body, transport_->Post(request.dump()));
  auto result = ParseResponse(body, id, error_out);
  if (!result.ok()) return result.status().Annotate(method);
  return result;
}

Result<uint64_t> Client::ChainId() {
  ASSIGN_OR_RETURN(Json r, Call("eth_chainId", Json::array()));
  return ParseQuantity(r);
}

Status Client::ExpectChainId(uint64_t expected) {
  ASSIGN_OR_RETURN(uint64_t got, ChainId());
  if (got != expected) {
    return Status::FailedPrecondition("wrong_chain", "the RPC endpoint serves chain " +
                                                         std::to_string(got) + ", expected " +
                                                         std::to_string(expected));
  }
  return Status::Ok();
}

Result<uint64_t> Client::BlockNumber() {
  ASSIGN_OR_RETURN(Json r, Call("eth_blockNumber", Json::array()));
  return ParseQuantity(r);
}

Result<uint64_t> Client::GetTransactionCount(const Address& a, const BlockTag& at) {
  ASSIGN_OR_RETURN(Json r, Call("eth_getTransactionCount", Json::array({a.Hex(), at.ToJson()})));
  return ParseQuantity(r);
}

Result<FeeSuggestion> Client::SuggestFees() {
  FeeSuggestion out;
  ASSIGN_OR_RETURN(auto block, GetBlockByNumber(BlockTag{}));
  if (!block || !block->base_fee_per_gas) {
    return Status::FailedPrecondition("no_base_fee", "the latest block has no EIP-1559 base fee");
  }
  out.base_fee = *block->base_fee_per_gas;
  ASSIGN_OR_RETURN(Json tip, Call("eth_maxPriorityFeePerGas", Json::array()));
  ASSIGN_OR_RETURN(out.priority_fee, ParseQuantity256(tip));
  return out;
}

Result<Hash> Client::SendRawTransaction(ByteView raw) {
  ASSIGN_OR_RETURN(Json r, Call("eth_sendRawTransaction", Json::array({Hex0x(raw)})));
  ASSIGN_OR_RETURN(Hash reported, ParseHash(r));
  if (reported != Keccak256::Digest(raw)) {
    return Status::VerificationFailed("rpc_tx_hash_mismatch",
                                      "the node reports hash " + reported.Hex() +
                                          " for a transaction whose hash is " +
                                          Keccak256::Digest(raw).Hex());
  }
  return reported;
}

Result<std::optional<Receipt>> Client::GetTransactionReceipt(const Hash& tx) {
  ASSIGN_OR_RETURN(Json r, Call("eth_getTransactionReceipt", Json::array({Hex0x(tx.view())})));
  return ParseReceipt(r, tx);
}

Result<std::optional<Block>> Client::GetBlockByNumber(const BlockTag& at) {
  ASSIGN_OR_RETURN(Json r, Call("eth_getBlockByNumber", Json::array({at.ToJson(), false})));
  ASSIGN_OR_RETURN(auto block, ParseBlock(r));
  if (block && at.number && block->number != *at.number) {
    return Status::VerificationFailed("rpc_block_mismatch", "the node returned another block");
  }
  return block;
}

Result<std::optional<Block>> Client::GetBlockByHash(const Hash& hash) {
  ASSIGN_OR_RETURN(Json r, Call("eth_getBlockByHash", Json::array({Hex0x(hash.view()), false})));
  ASSIGN_OR_RETURN(auto block, ParseBlock(r));
  if (block && block->hash != hash) {
    return Status::VerificationFailed("rpc_block_mismatch", "the node returned another block");
  }
  return block;
}

Result<Bytes> Client::CallContract(const Address& to, ByteView data, const BlockTag& at,
                                   RpcError* error_out) {
  Json call = {{"to", to.Hex()}, {"data", Hex0x(data)}};
  ASSIGN_OR_RETURN(Json r, Call("eth_call", Json::array({call, at.ToJson()}), error_out));
  return ParseData(r);
}

Result<uint64_t> Client::EstimateGas(const Address& from, const Address& to, ByteView data,
                                     RpcError* error_out) {
  Json call = {{"from", from.Hex()}, {"to", to.Hex()}, {"data", Hex0x(data)}};
  ASSIGN_OR_RETURN(Json r, Call("eth_estimateGas", Json::array({call}), error_out));
  return ParseQuantity(r);
}

Result<Bytes> Client::GetCode(const Address& a, const BlockTag& at) {
  ASSIGN_OR_RETURN(Json r, Call("eth_getCode", Json::array({a.Hex(), at.ToJson()})));
  return ParseData(r);
}

Result<std::vector<Log>> Client::GetLogs(const LogFilter& filter) {
  Json topics = Json::array();
  for (const auto& t : filter.topics) topics.push_back(t ? Json(Hex0x(t->view())) : Json());
  Json f = {{"address", filter.address.Hex()},
            {"topics", topics},
            {"fromBlock", Quantity(filter.from_block)},
            {"toBlock", filter.to_block ? Json(Quantity(*filter.to_block)) : Json("latest")}};
  ASSIGN_OR_RETURN(Json r, Call("eth_getLogs", Json::array({f})));
  ASSIGN_OR_RETURN(std::vector<Log> logs, ParseLogs(r));
  for (const Log& l : logs) {
    bool in_range = l.block_number >= filter.from_block &&
                    (!filter.to_block || l.block_number <= *filter.to_block);
    bool topics_match = l.topics.size() >= filter.topics.size();
    for (size_t i = 0; topics_match && i < filter.topics.size(); ++i) {
      if (filter.topics[i] && l.topics[i] != *filter.topics[i]) topics_match = false;
    }
    if (l.address != filter.address || !in_range || !topics_match) {
      return Status::InvalidArgument("rpc_malformed", "eth_getLogs returned a log outside the filter");
    }
  }
  return logs;
}

}  // namespace anchor::evm::rpc
