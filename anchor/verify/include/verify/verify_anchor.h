// Verifying an ANCHOR_CONFIRMED entry (`ledgerctl verify-anchor`).
//
// Offline, from the recorded evidence alone: the entry's checkpoint is
// signed by the pinned log key and names exactly the anchored size, root and
// map root; the log id is the checkpoint origin's; the chain and contract
// are the pinned ones (the manifest's registry_chain_id / registry_address);
// the notary's statement signature (schemas/formats/registry-statement.md)
// is low-s and recovers to the pinned notary registry address.
//
// Online (with an RPC endpoint) as well: the endpoint serves that chain, the
// contract holds the committed registry code, the transaction's receipt is
// successful, in the recorded block (number and hash), carries the Anchored
// event for exactly this statement from that contract and notary, and the
// block is still the canonical one at its height.
//
// A library of its own (anchor::verify), apart from the anchord daemon, so
// that ledgerctl verifies anchors without linking the daemon that makes them.
//
// Thread-safety: pure apart from the RPC calls.
#pragma once

#include <optional>

#include "anchord/anchor_record.h"
#include "evm/rpc_client.h"
#include "ledger/note/note.h"

namespace anchor::verify {

// The log key, the registry (chain id, contract) and the notary's registry
// address are all required (InvalidArgument("missing_vkey"/"missing_pins")):
// without them the evidence would vouch for itself.
struct VerifyAnchorOptions {
  const ledger::note::Verifier* log_key = nullptr;  // required
  std::optional<uint64_t> chain_id;                 // pinned registry: required
  std::optional<evm::Address> contract;             // required
  std::optional<evm::Address> notary;  // pinned notary registry address: required
  evm::rpc::Client* rpc = nullptr;     // online when set
  // PEM roots for the entry's RFC 3161 token; without them a token is
  // reported, not verified.
  std::string tsa_ca_pem;
};

struct AnchorVerification {
  anchord::AnchorRecord record;
  evm::Address signer;  // what the statement signature recovers to
  bool online = false;
  uint64_t confirmations = 0;  // online: chain head - block + 1
  bool timestamp_verified = false;
  uint64_t timestamp_gen_time = 0;  // the verified token's genTime (Unix seconds)
};

// `leaf` is the entry's leaf bytes (from a receipt whose inclusion in a
// signed checkpoint was verified). Refusals (VerificationFailed unless the
// input is malformed): anchor_checkpoint_mismatch, anchor_wrong_log,
// anchor_wrong_registry, anchor_wrong_signer, high_s, bad_signature,
// anchor_not_on_chain, anchor_block_mismatch, anchor_reorged,
// anchor_event_missing, wrong_chain, registry_code_mismatch, and the
// token's timestamp_* reasons (ledger/timestamp/token.h).
ledger::Result<AnchorVerification> VerifyAnchorEntry(ledger::ByteView leaf,
                                                     const VerifyAnchorOptions& options);

}  // namespace anchor::verify
