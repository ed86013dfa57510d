// ConfirmHead: rollback protection across restarts (see notary/enclave.h,
// docs/architecture.md §4.2).
//
// The notary restarts with no memory and takes its head from the untrusted
// host, which could show an old backup. Its freshness comes from the
// witnesses: each keeps, durably, the latest checkpoint it cosigned and
// cosigns a new one only if it is consistent with it and not older
// (c2sp.org/tlog-witness, add-checkpoint: 409 for an older size, 422 for an
// inconsistent proof or a different root at the same size). The checkpoint
// the notary signed at Restore extends the head it was shown by its
// ENCLAVE_BOOTED entry; if witness_quorum witnesses cosign exactly that
// checkpoint, then the shown head is at least as new as what each of them
// had cosigned, so an acknowledged entry (released only after the quorum
// cosigned it) cannot have been rolled back without colluding witnesses.
#include <openssl/crypto.h>

#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/witness_time.h"
#include "notary/enclave.h"

namespace notary {

using ledger::Result;
using ledger::Status;

Status Enclave::RequireServing() const {
  if (state_ == State::kConfirming) {
    return Status::FailedPrecondition(
        "head_unconfirmed", "the restored head waits for the witness quorum (ConfirmHead)");
  }
  if (state_ != State::kServing) {
    return Status::FailedPrecondition("not_serving",
                                      "this needs a provisioned notary with a restored head");
  }
  return Status::Ok();
}

Result<ledger::VerifiedCheckpoint> Enclave::VerifyCosigned(std::string_view note) const {
  // The witness keys come from the operator-approved manifest, never from
  // the host; a key that does not parse as cosignature/v1 is refused.
  std::vector<std::unique_ptr<ledger::note::Verifier>> keys;
  std::vector<const ledger::note::Verifier*> witnesses;
  for (const std::string& vkey : manifest_->witnesses) {
    ASSIGN_OR_RETURN(auto verifier, ledger::note::ParseVerifierKey(vkey));
    if (verifier->alg() != ledger::note::kAlgCosignatureV1) {
      return Status::FailedPrecondition("bad_witness_key",
                                        "a manifest witness key is not a cosignature/v1 key");
    }
    witnesses.push_back(verifier.get());
    keys.push_back(std::move(verifier));
  }
  // Core verification: the log key signed it; every line by a manifest
  // witness key verifies (one bad line rejects the note, signed-note
  // §Signatures); distinct witnesses are counted once each, by name.
  return ledger::VerifyCheckpoint(note, *log_verifier_, witnesses, manifest_->witness_quorum);
}

Result<uint64_t> Enclave::WitnessTime(const ledger::VerifiedCheckpoint& vc) const {
  std::optional<uint64_t> t = ledger::QuorumTime(vc.cosignatures, manifest_->witness_quorum);
  if (!t) return Status::VerificationFailed("no_witness_time", "the cosignatures carry no time");
  return *t;
}

Result<pb::HeadConfirmed> Enclave::ConfirmHead(const pb::ConfirmHead& request) {
  if (state_ != State::kConfirming) {
    return Status::FailedPrecondition("not_confirming",
                                      "ConfirmHead is allowed only after Restore, once");
  }
  ASSIGN_OR_RETURN(ledger::VerifiedCheckpoint vc, VerifyCosigned(request.checkpoint_note()));
  // Exactly the checkpoint signed at Restore: same text (origin, size, root,
  // policy line). A cosigned older or other checkpoint proves nothing about
  // the head held now.
  ASSIGN_OR_RETURN(ledger::note::Note held, ledger::note::Parse(sequencer_->head().checkpoint_note));
  ASSIGN_OR_RETURN(ledger::note::Note shown, ledger::note::Parse(request.checkpoint_note()));
  if (held.text.size() != shown.text.size() ||
      CRYPTO_memcmp(held.text.data(), shown.text.data(), held.text.size()) != 0) {
    return Status::VerificationFailed("checkpoint_mismatch",
                                      "the cosigned checkpoint is not the restored head");
  }
  // The clock, and the time it gave the ENCLAVE_BOOTED entry, must agree
  // with the witnesses' (witness_time.h): a host that moved the clock at
  // Restore gets no serving notary.
  ASSIGN_OR_RETURN(uint64_t witness_time, WitnessTime(vc));
  RETURN_IF_ERROR(ledger::CheckClockAgainstWitnesses(options_.clock(), witness_time));
  RETURN_IF_ERROR(ledger::CheckRecordedAt(sequencer_->head().last_recorded_at_us, vc.cosignatures,
                                          manifest_->witness_quorum));
  sequencer_->SetWitnessTime(witness_time);
  state_ = State::kServing;
  pb::HeadConfirmed out;
  out.set_size(vc.checkpoint.size);
  out.set_cosignatures(static_cast<uint32_t>(vc.cosignatures.size()));
  return out;
}

Result<pb::ClockChecked> Enclave::CheckClock(const pb::CheckClock& request) {
  RETURN_IF_ERROR(RequireServing());
  if (manifest_->witness_quorum == 0) {
    return Status::FailedPrecondition("no_witnesses", "the manifest requires no witnesses");
  }
  ASSIGN_OR_RETURN(ledger::VerifiedCheckpoint vc, VerifyCosigned(request.checkpoint_note()));
  // Only time is taken from it; a size beyond the head is no checkpoint
  // this notary's log has reached.
  if (vc.checkpoint.size > sequencer_->head().size()) {
    return Status::FailedPrecondition("checkpoint_ahead", "the checkpoint is beyond the head");
  }
  ASSIGN_OR_RETURN(uint64_t witness_time, WitnessTime(vc));
  // Kept even when the clock disagrees: it is the witnesses' word, and
  // sequencing is then refused (clock_skew) until clock and witnesses agree.
  sequencer_->SetWitnessTime(witness_time);
  const uint64_t now_us = options_.clock();
  pb::ClockChecked out;
  out.set_witness_time(*sequencer_->witness_time());
  out.set_notary_time(now_us / 1'000'000);
  out.set_in_bound(ledger::CheckClockAgainstWitnesses(now_us, out.witness_time()).ok());
  return out;
}

}  // namespace notary
