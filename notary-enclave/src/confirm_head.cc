// ConfirmHead: rollback protection across restarts (see notary/enclave.h,
// ARCHITECTURE §6).
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

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
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

Result<pb::HeadConfirmed> Enclave::ConfirmHead(const pb::ConfirmHead& request) {
  if (state_ != State::kConfirming) {
    return Status::FailedPrecondition("not_confirming",
                                      "ConfirmHead is allowed only after Restore, once");
  }
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
  ASSIGN_OR_RETURN(ledger::VerifiedCheckpoint vc,
                   ledger::VerifyCheckpoint(request.checkpoint_note(), *log_verifier_, witnesses,
                                            manifest_->witness_quorum));
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
  state_ = State::kServing;
  pb::HeadConfirmed out;
  out.set_size(vc.checkpoint.size);
  out.set_cosignatures(static_cast<uint32_t>(vc.cosignatures.size()));
  return out;
}

}  // namespace notary
