// The notary enclave's state machine: everything the trusted process does,
// with no I/O of its own (the Platform gives entropy and attestation; the
// caller moves frames).
//
//   Booted ──Provision──▶ Provisioned ──Restore──▶ Serving ──Append, ChangePolicy──▶ Serving
//                                          │                   ▲
//                                          └──▶ Confirming ──ConfirmHead
//                                               (manifest witness_quorum > 0)
//
// Boot: an ephemeral P-256 key is generated from platform entropy; it never
//   leaves the enclave; it signs app proofs and receives the quorum shares.
// GetBootProof(manifest): pins the manifest for this boot (the notary has no
//   disk: the manifest comes through the host, as in QuorumOS) and returns
//   the attestation document with public_key = the ephemeral key and
//   user_data = SHA-256(manifest). Operators verify it before sealing shares.
// Provision: k operator approvals of the pinned manifest, k shares sealed to
//   the ephemeral key under that manifest's digest; the quorum key is
//   rebuilt, checked against the manifest, the log keys are derived, and the
//   shares and quorum key are wiped.
// Restore: a new log (genesis) or the head the host holds, accepted only if
//   signed by the derived log key and consistent (ledger::Sequencer::Restore).
//   The notary then appends an ENCLAVE_BOOTED entry carrying its boot proof
//   digest, stamped by the log key, so key history is in the log. The host
//   also shows the submitter policy in force at that head: every checkpoint
//   names it ("policy <version> <digest>", schemas/formats/policy.md §5), and
//   another is refused (policy_mismatch). In a log with the state map, the
//   pinned manifest must be the one the head's latest ENCLAVE_BOOTED entry
//   recorded or its approved successor (manifest_rollback,
//   schemas/formats/manifest.md §6).
// ConfirmHead (witness_quorum > 0): a restarted notary has no memory, so the
//   head it restored may be an old backup. It serves only once the host shows
//   the checkpoint it signed at Restore cosigned by witness_quorum distinct
//   manifest witnesses: a witness cosigns only a checkpoint consistent with,
//   and at least as new as, everything it cosigned before (docs/architecture.md §4.2).
//   Its clock, and the ENCLAVE_BOOTED entry's recorded_at, must agree with
//   the witnesses' quorum time (ledger/note/witness_time.h, clock_skew).
// CheckClock (witness_quorum > 0, serving): a later cosigned checkpoint; its
//   quorum time becomes the witness time the sequencer checks its clock
//   against before every batch (clock_skew beyond kMaxClockSkewSeconds).
// Append: ledger::Sequencer::Sequence, then the batch app proof
//   (schemas/formats/app-proof.md) signed by the ephemeral key. With the state
//   map every stamped event sets its stamp key, so none is sequenced twice;
//   an event stamped by the log key (the notary's own) is always a replay.
// SignRegistryStatement: the EIP-712 registry statement
//   (schemas/formats/registry-statement.md) for the head the notary holds,
//   signed with the registry key; never for another size or root.
// ChangePolicy: the next policy version, approved by the manifest's operator
//   quorum, is recorded as a POLICY_CHANGED entry stamped by the log key and
//   enforced from then on.
// Re-sent requests (src/resend.cc): the notary remembers the last request that
//   moved the head (Restore, Append, ChangePolicy), by digest, and the answer
//   it gave. The byte-identical request, while that answer's checkpoint is
//   still the head, gets the same answer again and changes nothing: a host
//   killed before writing an answer recovers without a second signature.
//
// Every refusal is a Status with a stable reason; state changes only on
// success. Thread-safety: single-threaded by design; one caller.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/crypto/p256.h"
#include "ledger/note/note.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/trust/manifest.h"
#include "ledger/trust/policy.h"
#include "ledger/trust/quorum.h"
#include "ledger/v1/notary.pb.h"
#include "notary/platform.h"

namespace notary {

namespace pb = ledger::v1::notary;

struct EnclaveOptions {
  // Notary clock, microseconds since the Unix epoch. Default: system clock.
  ledger::Sequencer::Clock clock;
  // Passed to the sequencer (batch limit, replay window).
  ledger::SequencerOptions sequencer;
};

// The Error response for a refusal (code = ledger::CodeName, stable reason).
pb::NotaryResponse ErrorResponse(const ledger::Status& status);

class Enclave {
 public:
  enum class State { kBooted, kProvisioned, kConfirming, kServing };

  // Generates the ephemeral key from platform.GetRandom. The platform must
  // outlive the enclave.
  static ledger::Result<std::unique_ptr<Enclave>> Boot(Platform& platform,
                                                       EnclaveOptions options = {});
  ~Enclave();
  Enclave(const Enclave&) = delete;
  Enclave& operator=(const Enclave&) = delete;

  State state() const { return state_; }
  const ledger::P256PublicKey& ephemeral_public_key() const { return ephemeral_.public_key(); }

  // One request, one response: a refusal becomes an Error response.
  pb::NotaryResponse Handle(const pb::HostRequest& request);

  // The steps, as Handle dispatches them.
  pb::StatusInfo GetStatus() const;
  ledger::Result<pb::BootProof> GetBootProof(ledger::ByteView manifest);
  ledger::Result<pb::Provisioned> Provision(const pb::Provision& request);
  ledger::Result<pb::Restored> Restore(const pb::Restore& request);
  ledger::Result<pb::Sequenced> Append(const pb::Append& request);
  ledger::Result<pb::Sequenced> ChangePolicy(const pb::ChangePolicy& request);
  ledger::Result<pb::HeadConfirmed> ConfirmHead(const pb::ConfirmHead& request);
  ledger::Result<pb::ClockChecked> CheckClock(const pb::CheckClock& request);
  ledger::Result<pb::RegistryStatementSignature> SignRegistryStatement(
      const pb::SignRegistryStatement& request);

 private:
  Enclave(Platform& platform, EnclaveOptions options, ledger::P256PrivateKey ephemeral);

  // FailedPrecondition("not_serving") before Restore, ("head_unconfirmed")
  // while the restored head waits for the witnesses' cosignatures.
  ledger::Status RequireServing() const;
  // Pins the manifest (first call) and produces the boot attestation.
  ledger::Status PinManifest(ledger::ByteView manifest);
  // `map_proof`: the host's proof for the entry's subject (a log with the
  // state map that is not new; map.md §4).
  ledger::Result<pb::Sequenced> AppendBootEntry(ledger::ByteView map_proof);
  ledger::Result<ledger::Sequencer> StartSequencer(const pb::Restore& request);
  // FailedPrecondition("manifest_rollback") unless the pinned manifest is
  // the one the head's latest boot recorded, or its approved successor.
  ledger::Status CheckManifestSuccession(const ledger::Hash& map_root,
                                         ledger::ByteView map_proof) const;
  ledger::Status CheckHeldHead(const pb::Restore& request) const;
  ledger::Result<pb::Sequenced> Finish(ledger::SequencedBatch batch);
  // A checkpoint signed by the log key and cosigned by the manifest's
  // witness quorum (every line by a manifest witness key verifies).
  ledger::Result<ledger::VerifiedCheckpoint> VerifyCosigned(std::string_view note) const;
  // Its quorum time (ledger/note/witness_time.h).
  ledger::Result<uint64_t> WitnessTime(const ledger::VerifiedCheckpoint& vc) const;
  // The re-sent request slot (resend.cc). The digest of a request that can
  // move the head, nullopt for any other; the answer already given to that
  // request while its checkpoint is still the head, else null; and, after a
  // response that moved the head, the slot's new content.
  static std::optional<ledger::Hash> HeadMovingDigest(const pb::HostRequest& request);
  const pb::NotaryResponse* ResentAnswer(const std::optional<ledger::Hash>& digest) const;
  void RememberAnswer(const std::optional<ledger::Hash>& digest, const pb::NotaryResponse& response);
  // FailedPrecondition("replayed_stamp") for an event the host brings that
  // is stamped by the log key.
  ledger::Status RefuseOwnStamp(size_t position, const pb::SubmittedEvent& e) const;

  Platform& platform_;
  EnclaveOptions options_;
  ledger::P256PrivateKey ephemeral_;
  State state_ = State::kBooted;

  // Pinned by GetBootProof or Provision.
  std::optional<ledger::Manifest> manifest_;
  ledger::Hash manifest_digest_;
  ledger::Bytes attestation_;

  // Set by Provision. The sequencer gets its own copy of the log key when
  // it starts; the stamp signer (the log key again) stamps ENCLAVE_BOOTED.
  std::optional<ledger::Ed25519PrivateKey> log_key_;
  std::unique_ptr<ledger::note::Signer> stamp_signer_;
  std::string log_vkey_;
  std::shared_ptr<const ledger::note::Verifier> log_verifier_;
  std::optional<ledger::Secp256k1KeyPair> registry_key_;  // for registry statements

  // Set by Restore. The sequencer holds the policy in force and its line.
  std::optional<ledger::Sequencer> sequencer_;

  // The last request that moved the head and the answer sent for it: one
  // response, at most one frame (kMaxFrameBody), replaced by the next.
  struct LastAnswer {
    ledger::Hash request_digest;  // SHA-256 of the HostRequest bytes
    std::string head_note;        // the checkpoint the answer signed
    pb::NotaryResponse response;
  };
  std::optional<LastAnswer> last_answer_;
};

}  // namespace notary
