// Restore (or genesis) and the ENCLAVE_BOOTED entry (see notary/enclave.h).
#include <openssl/crypto.h>

#include "internal.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/record/state_map.h"
#include "ledger/trust/policy.h"
#include "notary/enclave.h"

namespace notary {

using ledger::Bytes;
using ledger::Hash;
using ledger::Result;
using ledger::Status;

namespace {

Result<std::vector<Hash>> Hashes(const google::protobuf::RepeatedPtrField<std::string>& in) {
  std::vector<Hash> out;
  out.reserve(static_cast<size_t>(in.size()));
  for (const std::string& h : in) {
    ASSIGN_OR_RETURN(Hash hash, Hash::FromBytes(ledger::AsBytes(h)));
    out.push_back(hash);
  }
  return out;
}

}  // namespace

// manifest.md §6: the log's map records, under the notary's subject, the
// manifest digest of its latest ENCLAVE_BOOTED entry. A restored log goes on
// under that manifest, or under its approved successor (which names it);
// anything else, say an older approved manifest with fewer witnesses, is a
// manifest rollback. `map_root` is the root of the verified head.
Status Enclave::CheckManifestSuccession(const Hash& map_root, ledger::ByteView map_proof) const {
  ASSIGN_OR_RETURN(ledger::state_map::Proof proof, ledger::state_map::Proof::Decode(map_proof));
  const Hash key = ledger::state_map::KeyOf("notary/" + manifest_->origin);
  ASSIGN_OR_RETURN(std::optional<ledger::state_map::Value> recorded,
                   ledger::state_map::VerifyProof(map_root, key, proof));
  if (!recorded.has_value()) {
    return Status::FailedPrecondition("manifest_rollback", "the head records no boot manifest");
  }
  auto same = [](const Hash& a, const Hash& b) {
    return CRYPTO_memcmp(a.bytes.data(), b.bytes.data(), Hash::kSize) == 0;
  };
  if (same(recorded->state, manifest_digest_) ||
      (manifest_->predecessor.has_value() && same(*manifest_->predecessor, recorded->state))) {
    return Status::Ok();
  }
  return Status::FailedPrecondition(
      "manifest_rollback", "the log's latest boot ran manifest " + recorded->state.Hex() +
                               "; manifest " + manifest_digest_.Hex() +
                               " is neither it nor its approved successor");
}

Result<ledger::Sequencer> Enclave::StartSequencer(const pb::Restore& r) {
  const std::string& origin = manifest_->origin;
  // The policy in force at the head: the manifest's (version 0) unless the
  // host shows a later one. Sequencer::Restore refuses it unless the head
  // checkpoint names exactly its line (policy.md §5).
  ledger::Policy policy = ledger::GenesisPolicy(*manifest_);
  if (!r.policy().empty()) {
    if (r.genesis()) return Status::InvalidArgument("bad_restore", "a new log starts with version 0");
    ASSIGN_OR_RETURN(policy, ledger::DecodePolicy(ledger::AsBytes(r.policy())));
  }
  ASSIGN_OR_RETURN(ledger::SubmitterPolicy enforced, ledger::ToSubmitterPolicy(policy));
  ledger::SequencerOptions options = options_.sequencer;
  ASSIGN_OR_RETURN(options.checkpoint_extension, ledger::PolicyExtensionLine(policy));
  ASSIGN_OR_RETURN(ledger::Ed25519PrivateKey key, CopyKey(*log_key_));
  auto signer = ledger::note::NewEd25519Signer(origin, std::move(key));
  if (r.genesis()) {
    if (!r.checkpoint_note().empty() || r.frontier_size() != 0 || !r.last_leaf().empty() ||
        r.last_leaf_proof_size() != 0 || !r.boot_map_proof().empty()) {
      return Status::InvalidArgument("bad_restore", "a genesis request carries no head");
    }
    options.state_map = r.state_map();
    return ledger::Sequencer::Genesis(origin, std::move(signer), std::move(enforced),
                                      options_.clock, std::move(options));
  }
  if (r.state_map()) return Status::InvalidArgument("bad_restore", "state_map is for genesis");
  // The log keeps the map iff its head says so (map.md §6); Sequencer::Restore
  // then takes the root from that line, after checking the signature.
  ASSIGN_OR_RETURN(ledger::note::Note note, ledger::note::Parse(r.checkpoint_note()));
  ASSIGN_OR_RETURN(ledger::Checkpoint shown, ledger::Checkpoint::FromText(note.text));
  ASSIGN_OR_RETURN(std::optional<Hash> map_root, ledger::state_map::FindRoot(shown.extensions));
  options.state_map = map_root.has_value();
  ASSIGN_OR_RETURN(std::vector<Hash> frontier, Hashes(r.frontier()));
  ASSIGN_OR_RETURN(std::vector<Hash> proof, Hashes(r.last_leaf_proof()));
  // Sequencer::Restore accepts only a head signed by this log key whose
  // frontier folds to the signed root, with the last leaf proven in it.
  ASSIGN_OR_RETURN(ledger::Sequencer sequencer,
                   ledger::Sequencer::Restore(origin, std::move(signer), std::move(enforced),
                                              options_.clock, r.checkpoint_note(),
                                              std::move(frontier), ledger::AsBytes(r.last_leaf()),
                                              proof, std::move(options)));
  // Without the map the head proves no manifest history (manifest.md §6).
  if (sequencer.keeps_state_map()) {
    RETURN_IF_ERROR(CheckManifestSuccession(sequencer.head().map_root,
                                            ledger::AsBytes(r.boot_map_proof())));
  }
  return sequencer;
}

// While serving, the notary holds the head; a host that reconnects may only
// show that head again. Anything older is a rollback, anything else a fork.
Status Enclave::CheckHeldHead(const pb::Restore& r) const {
  const ledger::LogHead& held = sequencer_->head();
  if (r.genesis()) {
    return Status::FailedPrecondition("rollback", "the notary holds a non-empty log");
  }
  auto verifier = ledger::note::NewEd25519Verifier(manifest_->origin, log_key_->public_key());
  ASSIGN_OR_RETURN(ledger::VerifiedCheckpoint vc,
                   ledger::VerifyCheckpoint(r.checkpoint_note(), *verifier));
  if (vc.checkpoint.size < held.size()) {
    return Status::FailedPrecondition(
        "rollback", "the host shows size " + std::to_string(vc.checkpoint.size) +
                        "; the notary holds size " + std::to_string(held.size()));
  }
  if (vc.checkpoint.size != held.size() || vc.checkpoint.root != held.range.Root()) {
    return Status::VerificationFailed("fork", "the host's head is not the one the notary holds");
  }
  return Status::Ok();
}

Result<pb::Restored> Enclave::Restore(const pb::Restore& r) {
  if (state_ == State::kBooted) {
    return Status::FailedPrecondition("not_provisioned", "restore needs the log key first");
  }
  if (state_ == State::kServing || state_ == State::kConfirming) {
    RETURN_IF_ERROR(CheckHeldHead(r));
    return pb::Restored();  // same head: the boot entry is already in the log
  }
  ASSIGN_OR_RETURN(ledger::Sequencer sequencer, StartSequencer(r));
  sequencer_.emplace(std::move(sequencer));
  auto entry = AppendBootEntry(ledger::AsBytes(r.boot_map_proof()));
  if (!entry.ok()) {
    sequencer_.reset();
    return entry.status();
  }
  // With witnesses required, the restored head may be an old backup: serve
  // only once the witness quorum has cosigned the checkpoint just signed
  // (ConfirmHead, confirm_head.cc).
  state_ = manifest_->witness_quorum > 0 ? State::kConfirming : State::kServing;
  pb::Restored out;
  *out.mutable_boot_entry() = std::move(entry).value();
  return out;
}

// ENCLAVE_BOOTED: this boot's ephemeral key, manifest and the digest of its
// attestation document (the boot proof), stamped by the log key, so that
// every notary instance that ever signed is on the record.
Result<pb::Sequenced> Enclave::AppendBootEntry(ledger::ByteView map_proof) {
  const std::string hex_key = ephemeral_.public_key().Hex();
  ledger::Event e;
  e.kind = ledger::EventKind::kEnclaveBooted;
  e.event_id = "enclave-booted/" + ledger::Sha256::Digest(attestation_).Hex();
  e.occurred_at_us = options_.clock();
  e.actor = {"notary", "notary-enclave", "attestation", ""};
  e.source = "notary-enclave/" + std::string(platform_.name());
  e.subject = "notary/" + manifest_->origin;
  e.outcome = ledger::Outcome::kSuccess;
  e.payload_digest = ledger::Sha256::Digest(attestation_);
  e.new_state_hash = manifest_digest_;
  e.attributes = {{"ephemeral_public_key", hex_key},
                  {"manifest_digest", manifest_digest_.Hex()},
                  {"platform", std::string(platform_.name())}};
  // A successor manifest names the one it replaces (manifest.md §6).
  if (manifest_->predecessor) {
    e.attributes.emplace(e.attributes.begin() + 2, "manifest_predecessor",
                         manifest_->predecessor->Hex());
  }
  ASSIGN_OR_RETURN(Bytes event, ledger::EncodeEvent(e));
  ASSIGN_OR_RETURN(Bytes stamp, ledger::MakeStamp(manifest_->origin, event, *stamp_signer_));
  const ledger::LogHead& head = sequencer_->head();
  std::vector<ledger::SubmittedEvent> batch{{std::move(event), std::move(stamp)}};
  // A new log's map is empty: the proof of absence is the empty proof.
  std::vector<ledger::state_map::Proof> proofs(1);
  if (head.size() > 0 && sequencer_->keeps_state_map()) {
    ASSIGN_OR_RETURN(proofs[0], ledger::state_map::Proof::Decode(map_proof));
  }
  ASSIGN_OR_RETURN(ledger::SequencedBatch sequenced,
                   sequencer_->Sequence(head.size(), head.range.Root(), batch, proofs));
  return Finish(std::move(sequenced));
}

}  // namespace notary
