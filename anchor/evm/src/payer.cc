// EIP-1559 fee and nonce handling and receipt polling.
#include "evm/payer.h"

#include <openssl/crypto.h>

#include <thread>

#include "evm/signing.h"

namespace anchor::evm {
namespace {

Result<uint64_t> Small(const U256& v, const char* what) {
  auto r = v.ToU64();
  if (!r.ok()) {
    return Status::FailedPrecondition("fee_too_high", std::string(what) + " does not fit 64 bits");
  }
  return *r;
}

}  // namespace

Payer::Payer(rpc::Client& rpc, uint64_t chain_id, Bytes secret, Address address,
             PayerOptions options)
    : rpc_(rpc),
      chain_id_(chain_id),
      secret_(std::move(secret)),
      address_(address),
      options_(options) {}

Payer::~Payer() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

Result<std::unique_ptr<Payer>> Payer::Create(rpc::Client& rpc, uint64_t chain_id,
                                             ByteView secret_key, PayerOptions options) {
  ASSIGN_OR_RETURN(Address address, AddressFromSecretKey(secret_key));
  RETURN_IF_ERROR(rpc.ExpectChainId(chain_id));
  return std::unique_ptr<Payer>(new Payer(rpc, chain_id, Bytes(secret_key.begin(), secret_key.end()),
                                          address, options));
}

Result<SignedTx> Payer::Send(const std::optional<Address>& to, ByteView data,
                             const std::function<std::string(ByteView)>& revert_reason) {
  // Simulation: the node runs the call against the latest state; a revert
  // comes back as an RPC error carrying the revert data.
  rpc::RpcError err;
  rpc::Json call = {{"from", address_.Hex()}, {"data", Hex0x(data)}};
  if (to) call["to"] = to->Hex();
  auto estimate = rpc_.Call("eth_estimateGas", rpc::Json::array({call}), &err);
  if (!estimate.ok()) {
    if (estimate.status().reason() == "rpc_error" && err.code == 3) {
      std::string reason = revert_reason ? revert_reason(err.data) : "tx_reverted";
      return Status::FailedPrecondition(reason, "the call reverts: " + Hex0x(err.data));
    }
    return estimate.status();
  }
  ASSIGN_OR_RETURN(uint64_t gas, rpc::ParseQuantity(*estimate));
  ASSIGN_OR_RETURN(rpc::FeeSuggestion fees, rpc_.SuggestFees());
  ASSIGN_OR_RETURN(uint64_t base, Small(fees.base_fee, "base fee"));
  ASSIGN_OR_RETURN(uint64_t tip, Small(fees.priority_fee, "priority fee"));
  ASSIGN_OR_RETURN(uint64_t nonce, rpc_.GetTransactionCount(address_, rpc::BlockTag{{}, "pending"}));

  Eip1559Tx tx;
  tx.chain_id = chain_id_;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = U256::FromU64(tip);
  tx.max_fee_per_gas = U256::FromU64(base * options_.base_fee_multiplier + tip);
  tx.gas_limit = gas + gas * options_.gas_margin_percent / 100;
  tx.to = to;
  tx.data.assign(data.begin(), data.end());
  ASSIGN_OR_RETURN(SignedTx signed_tx, SignTx(tx, secret_));
  ASSIGN_OR_RETURN(Hash sent, rpc_.SendRawTransaction(signed_tx.raw));
  (void)sent;  // equal to signed_tx.hash: SendRawTransaction checks it
  return signed_tx;
}

Result<rpc::Receipt> Payer::WaitForReceipt(const Hash& tx) {
  const auto deadline = std::chrono::steady_clock::now() + options_.receipt_timeout;
  while (true) {
    ASSIGN_OR_RETURN(auto receipt, rpc_.GetTransactionReceipt(tx));
    if (receipt) {
      if (receipt->from != address_) {
        return Status::VerificationFailed("rpc_receipt_mismatch",
                                          "the receipt names another sender");
      }
      if (!receipt->success) {
        return Status::FailedPrecondition("tx_reverted",
                                          "transaction " + tx.Hex() + " was mined but reverted");
      }
      return *std::move(receipt);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("receipt_timeout", "no receipt for " + tx.Hex());
    }
    std::this_thread::sleep_for(options_.poll_interval);
  }
}

Result<rpc::Receipt> Payer::WaitForConfirmations(const Hash& tx, uint64_t depth) {
  const auto deadline = std::chrono::steady_clock::now() + options_.receipt_timeout;
  while (true) {
    ASSIGN_OR_RETURN(auto receipt, rpc_.GetTransactionReceipt(tx));
    if (!receipt) {
      return Status::Unavailable("tx_not_on_chain",
                                 "transaction " + tx.Hex() + " is not (or no longer) on the chain");
    }
    if (receipt->from != address_) {
      return Status::VerificationFailed("rpc_receipt_mismatch", "the receipt names another sender");
    }
    if (!receipt->success) {
      return Status::FailedPrecondition("tx_reverted",
                                        "transaction " + tx.Hex() + " was mined but reverted");
    }
    ASSIGN_OR_RETURN(uint64_t head, rpc_.BlockNumber());
    // The receipt's block must be the canonical block at its height: after a
    // reorg a node may still serve a receipt from a block that is gone.
    ASSIGN_OR_RETURN(auto block, rpc_.GetBlockByNumber(rpc::BlockTag{receipt->block_number, ""}));
    if (!block || block->hash != receipt->block_hash) {
      return Status::Unavailable("tx_reorged",
                                 "the block of " + tx.Hex() + " is no longer canonical");
    }
    if (head >= receipt->block_number && head - receipt->block_number + 1 >= depth) {
      return *std::move(receipt);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("confirmation_timeout",
                                 "transaction " + tx.Hex() + " has not reached depth " +
                                     std::to_string(depth));
    }
    std::this_thread::sleep_for(options_.poll_interval);
  }
}

Result<rpc::Receipt> Payer::SendAndWait(const std::optional<Address>& to, ByteView data,
                                        const std::function<std::string(ByteView)>& revert_reason) {
  ASSIGN_OR_RETURN(SignedTx tx, Send(to, data, revert_reason));
  return WaitForReceipt(tx.hash);
}

}  // namespace anchor::evm
