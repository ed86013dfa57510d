// The chain from an answer to the measured code (notary_evidence_check.h).
#include "notary_evidence_check.h"

#include "ledger/attestation/attestation.h"
#include "ledger/attestation/certificate.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/base/hash.h"
#include "ledger/merkle/merkle.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/ownership.h"
#include "ledger/retention/retention.h"
#include "local_log.h"
#include "notary/app_proof.h"
#include "witness_policy.h"

namespace ledger::cli {
namespace {

Status Fail(const std::string& reason, const std::string& why) {
  return Status::VerificationFailed(reason, why);
}

}  // namespace

std::set<std::string> CodePinOptions(std::set<std::string> others) {
  others.insert({"root", "pcr0"});
  return others;
}

Result<std::optional<CodePins>> LoadCodePins(const Args& a, const note::Verifier& log_key) {
  auto root = a.Get("root");
  auto pcr0 = a.Get("pcr0");
  if (!root && !pcr0) return std::optional<CodePins>();
  if (!root) {
    return Status::InvalidArgument("attestation_root_missing",
                                   "--pcr0 needs --root, the attestation root it chains to");
  }
  CodePins pins;
  ASSIGN_OR_RETURN(std::string pem, ReadFile(*root));
  ASSIGN_OR_RETURN(pins.root_der, CertificateFromPemOrDer(AsBytes(pem)));
  if (pcr0) {
    auto bytes = HexDecode(*pcr0);
    if (!bytes.ok() || (bytes->size() != 32 && bytes->size() != 48 && bytes->size() != 64)) {
      return Status::InvalidArgument("bad_pcr0", "--pcr0 is 32, 48 or 64 bytes in hex");
    }
    pins.pcr0 = std::move(*bytes);
  } else {
    ASSIGN_OR_RETURN(std::optional<Manifest> newest, NewestManifest(a, log_key));
    if (!newest) {
      return Status::InvalidArgument("pcr0_pin_missing",
                                     "--root needs --pcr0 (or the --manifest that pins it)");
    }
    pins.pcr0 = Bytes(newest->pcr0.begin(), newest->pcr0.end());
  }
  return std::optional<CodePins>(std::move(pins));
}

Status VerifyNotaryEvidence(const NotaryEvidence& e, uint64_t index, const Checkpoint& answer,
                            const note::Verifier& log_key, const CodePins& pins) {
  // 1. The batch: its checkpoint is the log's, of the batch's size, holds
  // the entry, and is a prefix of the answer's tree.
  if (e.count == 0 || index < e.first_index || index - e.first_index >= e.count) {
    return Fail("app_proof_wrong_batch", "the app proof covers entries " +
                                             std::to_string(e.first_index) + " to " +
                                             std::to_string(e.first_index + e.count) +
                                             ", not entry " + std::to_string(index));
  }
  auto batch = VerifyCheckpoint(e.batch_checkpoint, log_key);
  if (!batch.ok()) return batch.status().Annotate("batch checkpoint");
  const Checkpoint& b = batch->checkpoint;
  if (b.origin != answer.origin || b.size != e.first_index + e.count) {
    return Fail("batch_checkpoint_mismatch",
                "the batch checkpoint is not of this log at the batch's end");
  }
  if (b.size > answer.size) {
    return Fail("app_proof_wrong_batch", "the batch ends after the answer's checkpoint");
  }
  if (b.size == answer.size ? b.root != answer.root
                            : !merkle::VerifyConsistency(b.size, answer.size, e.batch_consistency,
                                                         b.root, answer.root)
                                   .ok()) {
    return Fail("batch_not_in_answer",
                "the batch's tree is not a prefix of the answer's tree");
  }
  // 2. The app proof: the ephemeral key signed exactly this batch.
  RETURN_IF_ERROR(notary::VerifyAppProof(e.batch_checkpoint, e.first_index, e.count,
                                         AsBytes(e.app_proof_payload), e.app_proof_signature,
                                         e.app_proof_public_key));
  // 3. The boot entry: in the answer's tree, the notary's own record (the
  // log key's stamp), no later than the batch, recording that key.
  if (e.boot_index > e.first_index) {
    return Fail("boot_entry_invalid", "the boot entry comes after the batch it would have signed");
  }
  if (!merkle::VerifyInclusion(e.boot_index, answer.size, merkle::LeafHash(e.boot_leaf),
                               e.boot_inclusion, answer.root)
           .ok()) {
    return Fail("boot_entry_not_in_answer", "the boot entry is not entry " +
                                                std::to_string(e.boot_index) +
                                                " of the answer's tree");
  }
  auto leaf = DecodeLeaf(e.boot_leaf);
  auto event = leaf.ok() ? DecodeEvent(leaf->event) : Result<Event>(leaf.status());
  if (!event.ok() || event->kind != EventKind::kEnclaveBooted ||
      !StampedByLogKey(*leaf, log_key)) {
    return Fail("boot_entry_invalid", "entry " + std::to_string(e.boot_index) +
                                          " is not an ENCLAVE_BOOTED entry of the log key");
  }
  const std::string* key = FindAttribute(*event, "ephemeral_public_key");
  if (!key || *key != HexEncode(e.app_proof_public_key)) {
    return Fail("app_proof_other_boot", "the app proof is signed by a key that boot entry " +
                                            std::to_string(e.boot_index) + " does not record");
  }
  // 4. The attestation document: the boot entry's payload, chained to the
  // pinned root, with the pinned PCR0, attesting the manifest the boot
  // entry records and the ephemeral key.
  if (!event->payload_digest || Sha256::Digest(e.attestation) != *event->payload_digest) {
    return Fail("attestation_mismatch", "the attestation document is not boot entry " +
                                            std::to_string(e.boot_index) + "'s payload");
  }
  AttestationPolicy policy;
  policy.root_der = pins.root_der;
  policy.expected_pcrs[0] = pins.pcr0;
  const std::string* digest_hex = FindAttribute(*event, "manifest_digest");
  auto digest = digest_hex ? HexDecode(*digest_hex) : Result<Bytes>(Bytes());
  if (!digest.ok() || digest->size() != 32) {
    return Fail("boot_entry_invalid", "the boot entry records no manifest digest");
  }
  policy.expected_user_data = *digest;
  ASSIGN_OR_RETURN(VerifiedAttestation v, VerifyAttestation(e.attestation, policy));
  if (v.public_key != e.app_proof_public_key) {
    return Fail("public_key_mismatch", "the document attests another key than the app proof's");
  }
  return Status::Ok();
}

Result<std::optional<std::string>> CheckCode(const std::optional<CodePins>& pins,
                                             const std::optional<NotaryEvidence>& evidence,
                                             uint64_t index, const Checkpoint& answer,
                                             const note::Verifier& log_key) {
  if (!pins) return std::optional<std::string>();
  if (!evidence) {
    return Status::VerificationFailed(
        "notary_evidence_missing",
        "--pcr0 pins the code, and the answer carries no notary evidence to check it with");
  }
  RETURN_IF_ERROR(VerifyNotaryEvidence(*evidence, index, answer, log_key, *pins));
  return std::optional<std::string>("sequenced by the notary booted at entry " +
                                    std::to_string(evidence->boot_index) + " with PCR0 " +
                                    HexEncode(pins->pcr0).substr(0, 16) +
                                    "... under the pinned attestation root");
}

}  // namespace ledger::cli
