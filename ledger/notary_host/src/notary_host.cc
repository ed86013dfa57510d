#include "ledger/notary_host/notary_host.h"

#include <chrono>

#include "ledger/base/hash.h"
#include "ledger/files/read_file.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/testing/crash_point.h"
#include "ledger/trust/policy.h"
#include "notary/app_proof.h"

namespace ledger::notary_host {
namespace {

uint64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

}  // namespace

Result<std::unique_ptr<NotaryHost>> NotaryHost::Connect(const std::string& socket,
                                                         const std::string& vkey,
                                                         store::LogStore* store,
                                                         std::string manifest_file) {
  std::unique_ptr<NotaryHost> host(new NotaryHost());
  host->store_ = store;
  host->vkey_ = vkey;
  host->manifest_file_ = std::move(manifest_file);
  ASSIGN_OR_RETURN(host->notary_, notary_client::NotaryClient::Connect(socket));
  RETURN_IF_ERROR(host->BringToHead());
  return host;
}

Status NotaryHost::BringToHead() {
  ASSIGN_OR_RETURN(auto status, notary_->GetStatus());
  if (status.log_vkey() != vkey_) {
    return Status::VerificationFailed("wrong_notary", "the notary does not hold the pinned log key");
  }
  ephemeral_public_key_ = ToBytes(status.ephemeral_public_key());
  std::optional<notary_client::Sequenced> seq;
  if (store_->size() == 0) {
    if (status.state() == notary_client::pb::StatusInfo::SERVING ||
        status.state() == notary_client::pb::StatusInfo::CONFIRMING) {
      return Status::FailedPrecondition(
          "notary_head_mismatch", "the notary serves a log of size " +
                                      std::to_string(status.size()) + "; this store is empty");
    }
    // Every log this host creates keeps the state map (map.md §6).
    ASSIGN_OR_RETURN(seq, notary_->Genesis(/*state_map=*/true));
  } else {
    const bool serving = status.state() == notary_client::pb::StatusInfo::SERVING ||
                         status.state() == notary_client::pb::StatusInfo::CONFIRMING;
    Status resent;
    if (serving && status.size() > store_->size()) {
      // The notary is ahead: this host died between the notary's answer and
      // its write. The journaled request, sent again, brings the answer.
      resent = ResendPending();
      if (resent.code() == Code::kUnavailable) return resent;
    }
    ASSIGN_OR_RETURN(auto head, store_->ReadHead());
    ASSIGN_OR_RETURN(Bytes policy, HeadPolicy(*store_));
    // The map proof for the subject of the ENCLAVE_BOOTED entry the notary
    // appends on restore (used only if the head carries a map line).
    ASSIGN_OR_RETURN(state_map::Proof boot_proof,
                     store_->MapProof(state_map::KeyOf("notary/" + store_->origin())));
    auto restored = notary_->Restore({head.checkpoint_note, head.frontier, head.last_leaf,
                                      head.last_leaf_proof, std::move(policy),
                                      boot_proof.Encode()});
    // Without a journaled request the notary accepts, the store stays behind
    // it (rollback): the notary must not trust this host, and re-provisioning
    // it is the way on. Say why the journal did not help.
    if (!restored.ok() && !resent.ok()) {
      const Status& refused = restored.status();
      return Status(refused.code(), refused.reason(),
                    refused.message() + "; the journaled request did not bring the store to it: " +
                        resent.ToString());
    }
    ASSIGN_OR_RETURN(seq, std::move(restored));
  }
  if (!seq) return Status::Ok();  // the notary already serves this head
  // The notary has appended its ENCLAVE_BOOTED entry; the store lacks it. A
  // host killed here sends the identical Restore again at restart and gets
  // the same entry (the notary's re-sent request slot).
  CrashPoint("host.after_notary_restore");
  ASSIGN_OR_RETURN(auto payloads, BootPayloads(seq->batch));
  return Persist(*seq, payloads);
}

Status NotaryHost::ResendPending() {
  auto pending = store_->ReadPendingAppend();
  if (!pending.ok()) {
    if (pending.status().code() == Code::kNotFound) return pending.status();
    return pending.status().Annotate("journal");
  }
  notary_client::pb::HostRequest request;
  if (!request.ParseFromArray(pending->request.data(), static_cast<int>(pending->request.size())) ||
      (!request.has_append() && !request.has_change_policy())) {
    return Status::Corruption("malformed_record",
                              "the journaled request is not an Append or ChangePolicy");
  }
  // Only a request made on top of the stored head can be the one answered.
  const VerifiedCheckpoint head = store_->latest();
  const uint64_t size = request.has_append() ? request.append().expected_size()
                                             : request.change_policy().expected_size();
  const std::string& root = request.has_append() ? request.append().expected_root()
                                                 : request.change_policy().expected_root();
  if (size != head.checkpoint.size || root != AsString(head.checkpoint.root.view())) {
    return Status::NotFound("stale_pending_append", "the journaled request is for another head");
  }
  ASSIGN_OR_RETURN(notary_client::Sequenced seq, notary_->SendSequencing(request));
  // The notary's answer, again; not yet written.
  CrashPoint("host.after_notary_resend");
  RETURN_IF_ERROR(Persist(seq, pending->payloads));
  resent_ = ResentBatch{seq.batch.first_index, seq.batch.leaves.size()};
  return Status::Ok();
}

Result<notary_client::Sequenced> NotaryHost::Append(std::span<const SubmittedEvent> events,
                                                    std::span<const store::Payload> payloads) {
  auto head = store_->latest().checkpoint;
  // One map proof per event, one per stamped event for its stamp key and
  // one per retention entry for its retention keys, planned on the stored
  // map as the notary will apply them (map.md §4, §5a, §5b); a notary whose
  // log has no map ignores them. A stamped event already in the log, or a
  // retention entry the rules refuse whatever the time, is refused here as
  // the notary would.
  ASSIGN_OR_RETURN(store::LogStore::MapPlan plan, store_->PlanMap(events));
  timings_ = {};
  ASSIGN_OR_RETURN(notary_client::Sequenced seq,
                   SendJournaled(notary_client::NotaryClient::AppendRequest(
                                     head.size, head.root, events, plan.map_proofs,
                                     plan.stamp_proofs, plan.retention_proofs),
                                 payloads));
  // The notary has signed the batch; the store does not hold it yet.
  CrashPoint("host.after_notary_append");
  const auto t0 = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(Persist(seq, payloads));
  timings_.persist_us = MicrosSince(t0);
  // The synced WriteBatch is done; nobody has been told.
  CrashPoint("host.after_write_batch");
  return seq;
}

Result<notary_client::Sequenced> NotaryHost::SendJournaled(
    const notary_client::pb::HostRequest& request, std::span<const store::Payload> payloads) {
  // The request is journaled before the call: if this process dies after
  // the notary signed and before the batch is written, the restarted host
  // sends it again and gets the same answer (ResendPending).
  auto t0 = std::chrono::steady_clock::now();
  store::LogStore::PendingAppend pending{ToBytes(request.SerializeAsString()),
                                         {payloads.begin(), payloads.end()}};
  RETURN_IF_ERROR(store_->WritePendingAppend(pending));
  timings_.journal_us = MicrosSince(t0);
  // The journal is durable; the notary has not been called.
  CrashPoint("host.after_journal");
  t0 = std::chrono::steady_clock::now();
  auto seq = notary_->SendSequencing(request);
  timings_.notary_us = MicrosSince(t0);
  return seq;
}

// The attestation document an ENCLAVE_BOOTED entry commits to, stored as its
// payload when the notary gives the same document again.
Result<std::vector<store::Payload>> NotaryHost::BootPayloads(const SequencedBatch& batch) {
  std::vector<store::Payload> out;
  if (manifest_file_.empty()) return out;
  ASSIGN_OR_RETURN(std::string manifest, files::ReadFile(manifest_file_));
  ASSIGN_OR_RETURN(auto proof, notary_->GetBootProof(AsBytes(manifest)));
  Hash digest = Sha256::Digest(proof.attestation);
  for (const Bytes& bytes : batch.leaves) {
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(bytes));
    ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
    if (event.kind == EventKind::kEnclaveBooted && event.payload_digest == digest) {
      out.push_back({digest, proof.attestation, "application/cose; cose-type=\"cose-sign1\""});
    }
  }
  return out;
}

Status NotaryHost::Persist(const notary_client::Sequenced& seq,
                           std::span<const store::Payload> payloads) {
  const auto& key = seq.app_proof.public_key;
  // The app proof binds the checkpoint to the attested instance; the key
  // must be the one this connection's notary reported.
  if (!ephemeral_public_key_.empty() && key != ephemeral_public_key_) {
    return Status::VerificationFailed("app_proof_key_mismatch",
                                      "the app proof is signed by another instance's key");
  }
  RETURN_IF_ERROR(notary::VerifyAppProof(seq.batch.checkpoint_note, seq.batch.first_index,
                                         seq.batch.leaves.size(), AsBytes(seq.app_proof.payload),
                                         seq.app_proof.signature, key));
  // Kept with the batch: receipts and state answers carry it (receipt.md §4).
  const store::BatchAppProof proof{seq.app_proof.payload, seq.app_proof.signature, key};
  return store_->Append(seq.batch, payloads, &proof);
}

Result<Bytes> HeadPolicy(const store::LogStore& store) {
  const auto& extensions = store.latest().checkpoint.extensions;
  // A head without a policy line predates policy binding: there is nothing
  // to show, and the notary decides.
  if (extensions.empty()) return Bytes();
  ASSIGN_OR_RETURN(PolicyRef ref, ParsePolicyExtensionLine(extensions.front()));
  if (ref.version == 0) return Bytes();  // the manifest's: the notary has it
  auto payload = store.GetPayload(ref.digest);
  if (!payload.ok()) {
    return Status::NotFound("missing_policy", "the store lacks policy version " +
                                                  std::to_string(ref.version) + " " +
                                                  ref.digest.Hex());
  }
  if (PolicyDigest(payload->body) != ref.digest) {
    return Status::Corruption("policy_mismatch", "the stored policy does not match its digest");
  }
  return payload->body;
}

}  // namespace ledger::notary_host
