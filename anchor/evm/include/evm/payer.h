// The payer: builds, signs and sends EIP-1559 transactions from a key that
// only pays for gas, and waits for their receipts. Every transaction is
// simulated first (eth_estimateGas), so a contract revert surfaces as its
// custom error's stable reason before anything is spent; a transaction that
// is mined but reverted is refused too (tx_reverted), with the receipt kept.
//
// Thread-safety: one Payer per thread (it drives one rpc::Client).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "evm/rpc_client.h"
#include "evm/transaction.h"

namespace anchor::evm {

struct PayerOptions {
  // How often a receipt is polled. Default: 50 ms (anvil mines in ~30 ms).
  std::chrono::milliseconds poll_interval{50};
  // How long to wait for a receipt. Default: 120 s.
  std::chrono::milliseconds receipt_timeout{120000};
  // Gas limit = estimate * (100 + margin) / 100. Default: 25.
  uint64_t gas_margin_percent = 25;
  // maxFeePerGas = base fee * multiplier + priority fee. Default: 2
  // (stays valid through six full blocks of +12.5% each).
  uint64_t base_fee_multiplier = 2;
};

class Payer {
 public:
  // Checks that the endpoint serves `chain_id` (FailedPrecondition("wrong_chain")).
  static Result<std::unique_ptr<Payer>> Create(rpc::Client& rpc, uint64_t chain_id,
                                               ByteView secret_key, PayerOptions options = {});
  ~Payer();

  const Address& address() const { return address_; }
  uint64_t chain_id() const { return chain_id_; }

  // Simulates, signs and sends a call (or a creation when `to` is empty).
  // A revert during simulation is FailedPrecondition with
  // `revert_reason(revert data)` as the reason (default "tx_reverted").
  Result<SignedTx> Send(const std::optional<Address>& to, ByteView data,
                        const std::function<std::string(ByteView)>& revert_reason = {});
  // Polls until the receipt exists or the timeout passes
  // (Unavailable("receipt_timeout")). A reverted receipt is
  // FailedPrecondition("tx_reverted").
  Result<rpc::Receipt> WaitForReceipt(const Hash& tx);
  // Waits until the transaction's block is `depth` blocks deep (1: mined)
  // and still the canonical block at its height. Unavailable with
  // "tx_not_on_chain" when the node has no receipt (never mined, or removed
  // by a reorg: the caller re-submits), "tx_reorged" when the receipt's block
  // is no longer canonical, "confirmation_timeout"; tx_reverted as above.
  Result<rpc::Receipt> WaitForConfirmations(const Hash& tx, uint64_t depth);
  // Send + WaitForReceipt.
  Result<rpc::Receipt> SendAndWait(const std::optional<Address>& to, ByteView data,
                                   const std::function<std::string(ByteView)>& revert_reason = {});

 private:
  Payer(rpc::Client& rpc, uint64_t chain_id, Bytes secret, Address address, PayerOptions options);
  rpc::Client& rpc_;
  uint64_t chain_id_;
  Bytes secret_;
  Address address_;
  PayerOptions options_;
};

}  // namespace anchor::evm
