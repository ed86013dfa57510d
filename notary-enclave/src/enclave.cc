// Boot, status, boot proof, append and request dispatch (see notary/enclave.h).
#include "notary/enclave.h"

#include <chrono>
#include <openssl/crypto.h>
#include <utility>

#include "ledger/note/checkpoint.h"
#include "ledger/record/stamp.h"
#include "notary/app_proof.h"

namespace notary {

using ledger::Bytes;
using ledger::ByteView;
using ledger::Result;
using ledger::Status;

namespace {

uint64_t SystemClockUs() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

// A P-256 scalar from platform entropy. A 32-byte string is a valid scalar
// (1 <= d < n) except with probability about 2^-32; draw again if not.
Result<ledger::P256PrivateKey> EphemeralKey(Platform& platform) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    ASSIGN_OR_RETURN(Bytes scalar, platform.GetRandom(ledger::P256PrivateKey::kScalarSize));
    if (scalar.size() != ledger::P256PrivateKey::kScalarSize) {
      return Status::Internal("bad_entropy", "the platform returned a short random string");
    }
    auto key = ledger::P256PrivateKey::FromScalar(scalar);
    OPENSSL_cleanse(scalar.data(), scalar.size());
    if (key.ok()) return std::move(key).value();
  }
  return Status::Internal("bad_entropy", "no valid P-256 scalar from platform entropy");
}

std::string ToString(ByteView b) { return std::string(ledger::AsString(b)); }

}  // namespace

Enclave::Enclave(Platform& platform, EnclaveOptions options, ledger::P256PrivateKey ephemeral)
    : platform_(platform), options_(std::move(options)), ephemeral_(std::move(ephemeral)) {
  if (!options_.clock) options_.clock = SystemClockUs;
}

Enclave::~Enclave() = default;

Result<std::unique_ptr<Enclave>> Enclave::Boot(Platform& platform, EnclaveOptions options) {
  ASSIGN_OR_RETURN(ledger::P256PrivateKey ephemeral, EphemeralKey(platform));
  return std::unique_ptr<Enclave>(new Enclave(platform, std::move(options), std::move(ephemeral)));
}

pb::StatusInfo Enclave::GetStatus() const {
  pb::StatusInfo s;
  switch (state_) {
    case State::kBooted: s.set_state(pb::StatusInfo::BOOTED); break;
    case State::kProvisioned: s.set_state(pb::StatusInfo::PROVISIONED); break;
    case State::kConfirming: s.set_state(pb::StatusInfo::CONFIRMING); break;
    case State::kServing: s.set_state(pb::StatusInfo::SERVING); break;
  }
  s.set_platform(std::string(platform_.name()));
  s.set_ephemeral_public_key(ToString(ephemeral_.public_key().view()));
  if (state_ != State::kBooted) {
    s.set_origin(manifest_->origin);
    s.set_log_vkey(log_vkey_);
  }
  if (sequencer_) {
    s.set_size(sequencer_->head().size());
    s.set_checkpoint_note(sequencer_->head().checkpoint_note);
  }
  return s;
}

Status Enclave::PinManifest(ByteView manifest) {
  if (manifest_) {
    // Compared by digest: the pinned manifest is fixed for the whole boot.
    ledger::Hash digest = ledger::ManifestDigest(manifest);
    if (!manifest.empty() &&
        CRYPTO_memcmp(digest.bytes.data(), manifest_digest_.bytes.data(), digest.kSize) != 0) {
      return Status::FailedPrecondition("manifest_mismatch",
                                        "this boot is pinned to another manifest");
    }
    return Status::Ok();
  }
  if (manifest.empty()) return Status::InvalidArgument("missing_manifest", "no manifest given");
  ASSIGN_OR_RETURN(ledger::Manifest m, ledger::DecodeManifest(manifest));
  // Refuse early a manifest that does not name this measurement: operators
  // would refuse the attestation anyway.
  ASSIGN_OR_RETURN(Bytes pcr0, platform_.DescribePcr(0));
  if (pcr0.size() != m.pcr0.size() ||
      CRYPTO_memcmp(pcr0.data(), m.pcr0.data(), pcr0.size()) != 0) {
    return Status::FailedPrecondition("measurement_mismatch",
                                      "the manifest expects another PCR0 than this notary's");
  }
  ledger::Hash digest = ledger::ManifestDigest(manifest);
  ASSIGN_OR_RETURN(Bytes attestation,
                   platform_.Attest(ephemeral_.public_key().view(), digest.view(), {}));
  manifest_ = std::move(m);
  manifest_digest_ = digest;
  attestation_ = std::move(attestation);
  return Status::Ok();
}

Result<pb::BootProof> Enclave::GetBootProof(ByteView manifest) {
  RETURN_IF_ERROR(PinManifest(manifest));
  pb::BootProof proof;
  proof.set_attestation(ToString(attestation_));
  proof.set_ephemeral_public_key(ToString(ephemeral_.public_key().view()));
  proof.set_manifest_digest(ToString(manifest_digest_.view()));
  return proof;
}

Result<pb::Sequenced> Enclave::Append(const pb::Append& request) {
  RETURN_IF_ERROR(RequireServing());
  ASSIGN_OR_RETURN(ledger::Hash expected_root,
                   ledger::Hash::FromBytes(ledger::AsBytes(request.expected_root())));
  // A request against another head (a fork or a stale host) is refused as
  // such before anything else in it is parsed.
  const ledger::LogHead& head = sequencer_->head();
  if (request.expected_size() != head.size() || expected_root != head.range.Root()) {
    return Status::FailedPrecondition("head_mismatch",
                                      "host head (size " + std::to_string(request.expected_size()) +
                                          ") differs from the notary's (size " +
                                          std::to_string(head.size()) + ")");
  }
  // Counted before anything is copied (the frame parser already capped it
  // at frame::kMaxAppendEvents; the sequencer's limit may be lower).
  if (static_cast<size_t>(request.events_size()) > options_.sequencer.max_batch) {
    return Status::InvalidArgument("batch_too_large", "at most " +
                                                          std::to_string(options_.sequencer.max_batch) +
                                                          " events");
  }
  std::vector<ledger::SubmittedEvent> events;
  std::vector<ledger::state_map::Proof> map_proofs, stamp_proofs;
  std::vector<std::optional<ledger::retention_map::RetentionProof>> retention_proofs;
  events.reserve(static_cast<size_t>(request.events_size()));
  for (const auto& e : request.events()) {
    RETURN_IF_ERROR(RefuseOwnStamp(events.size(), e));
    events.push_back({ledger::ToBytes(e.event()), ledger::ToBytes(e.stamp())});
    if (sequencer_->keeps_state_map()) {
      ASSIGN_OR_RETURN(auto proof, ledger::state_map::Proof::Decode(ledger::AsBytes(e.map_proof())));
      map_proofs.push_back(std::move(proof));
      ledger::state_map::Proof stamp_proof;
      if (!e.stamp().empty()) {
        ASSIGN_OR_RETURN(stamp_proof,
                         ledger::state_map::Proof::Decode(ledger::AsBytes(e.stamp_proof())));
      }
      stamp_proofs.push_back(std::move(stamp_proof));
      // The retention rules are judged by the sequencer, on what this proves
      // (retention.md §5, map.md §5b).
      std::optional<ledger::retention_map::RetentionProof> retention_proof;
      if (!e.retention_proof().empty()) {
        ASSIGN_OR_RETURN(retention_proof, ledger::retention_map::RetentionProof::Decode(
                                              ledger::AsBytes(e.retention_proof())));
      }
      retention_proofs.push_back(std::move(retention_proof));
    }
  }
  ASSIGN_OR_RETURN(ledger::SequencedBatch batch,
                   sequencer_->Sequence(request.expected_size(), expected_root, events, map_proofs,
                                        stamp_proofs, retention_proofs));
  return Finish(std::move(batch));
}

// The log key stamps only the entries the notary makes itself (ENCLAVE_BOOTED,
// POLICY_CHANGED), which set no stamp key (map.md §5a): any such stamp the
// host holds is one the notary already made, so bringing it is a replay.
Status Enclave::RefuseOwnStamp(size_t position, const pb::SubmittedEvent& e) const {
  if (e.stamp().empty()) return Status::Ok();
  const ledger::note::Verifier* keys[] = {log_verifier_.get()};
  if (ledger::VerifyStamp(manifest_->origin, ledger::AsBytes(e.event()),
                          ledger::AsBytes(e.stamp()), keys)
          .ok()) {
    return Status::FailedPrecondition("replayed_stamp",
                                      "event " + std::to_string(position) +
                                          " is stamped by the log key: only the notary writes it");
  }
  return Status::Ok();
}

// The response for a sequenced batch, with its app proof (app-proof.md).
Result<pb::Sequenced> Enclave::Finish(ledger::SequencedBatch batch) {
  AppProofFields fields{batch.checkpoint.origin,
                        batch.checkpoint.size,
                        batch.checkpoint.root,
                        batch.first_index,
                        batch.leaves.size(),
                        ledger::Sha256::Digest(batch.checkpoint_note)};
  ASSIGN_OR_RETURN(std::string payload, AppProofPayload(fields));
  ASSIGN_OR_RETURN(Bytes signature, ephemeral_.Sign(ledger::AsBytes(payload)));
  pb::Sequenced out;
  out.set_first_index(batch.first_index);
  for (const Bytes& leaf : batch.leaves) out.add_leaves(ToString(leaf));
  out.set_checkpoint_note(std::move(batch.checkpoint_note));
  pb::AppProof* proof = out.mutable_app_proof();
  proof->set_payload(std::move(payload));
  proof->set_signature(ToString(signature));
  proof->set_public_key(ToString(ephemeral_.public_key().view()));
  return out;
}

pb::NotaryResponse ErrorResponse(const Status& status) {
  pb::NotaryResponse response;
  pb::Error* error = response.mutable_error();
  error->set_code(std::string(ledger::CodeName(status.code())));
  error->set_reason(status.reason());
  error->set_message(status.message());
  return response;
}

pb::NotaryResponse Enclave::Handle(const pb::HostRequest& request) {
  // A re-sent request gets the answer already signed for it (resend.cc).
  const std::optional<ledger::Hash> digest = HeadMovingDigest(request);
  if (const pb::NotaryResponse* answered = ResentAnswer(digest)) return *answered;
  pb::NotaryResponse response;
  Status status;
  auto take = [&status](auto result, auto* into) {
    if (result.ok()) {
      *into = std::move(result).value();
    } else {
      status = result.status();
    }
  };
  switch (request.body_case()) {
    case pb::HostRequest::kGetStatus: *response.mutable_status() = GetStatus(); break;
    case pb::HostRequest::kGetBootProof:
      take(GetBootProof(ledger::AsBytes(request.get_boot_proof().manifest())),
           response.mutable_boot_proof());
      break;
    case pb::HostRequest::kProvision:
      take(Provision(request.provision()), response.mutable_provisioned());
      break;
    case pb::HostRequest::kRestore:
      take(Restore(request.restore()), response.mutable_restored());
      break;
    case pb::HostRequest::kAppend: take(Append(request.append()), response.mutable_sequenced()); break;
    case pb::HostRequest::kChangePolicy:
      take(ChangePolicy(request.change_policy()), response.mutable_sequenced());
      break;
    case pb::HostRequest::kConfirmHead:
      take(ConfirmHead(request.confirm_head()), response.mutable_head_confirmed());
      break;
    case pb::HostRequest::kCheckClock:
      take(CheckClock(request.check_clock()), response.mutable_clock_checked());
      break;
    case pb::HostRequest::kSignRegistryStatement:
      take(SignRegistryStatement(request.sign_registry_statement()),
           response.mutable_registry_statement_signature());
      break;
    case pb::HostRequest::BODY_NOT_SET:
      status = Status::InvalidArgument("empty_message", "the request has no body");
      break;
  }
  if (!status.ok()) return ErrorResponse(status);
  RememberAnswer(digest, response);
  return response;
}

}  // namespace notary
