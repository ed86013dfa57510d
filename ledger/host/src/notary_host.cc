#include "ledger/host/notary_host.h"

#include <chrono>
#include <fstream>
#include <iterator>

#include "ledger/crash_point.h"
#include "ledger/event.h"
#include "ledger/hash.h"
#include "ledger/leaf.h"
#include "ledger/policy.h"
#include "notary/app_proof.h"

namespace ledger::host {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no_such_file", "cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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
    ASSIGN_OR_RETURN(auto head, store_->ReadHead());
    ASSIGN_OR_RETURN(Bytes policy, HeadPolicy(*store_));
    // The map proof for the subject of the ENCLAVE_BOOTED entry the notary
    // appends on restore (used only if the head carries a map line).
    ASSIGN_OR_RETURN(state_map::Proof boot_proof,
                     store_->MapProof(state_map::KeyOf("notary/" + store_->origin())));
    ASSIGN_OR_RETURN(seq, notary_->Restore({head.checkpoint_note, head.frontier, head.last_leaf,
                                            head.last_leaf_proof, std::move(policy),
                                            boot_proof.Encode()}));
  }
  if (!seq) return Status::Ok();  // the notary already serves this head
  ASSIGN_OR_RETURN(auto payloads, BootPayloads(seq->batch));
  return Persist(*seq, payloads);
}

Result<notary_client::Sequenced> NotaryHost::Append(std::span<const SubmittedEvent> events,
                                                    std::span<const store::Payload> payloads) {
  auto head = store_->latest().checkpoint;
  // One map proof per event, and one per stamped event for its stamp key,
  // planned on the stored map as the notary will apply them (map.md §4,
  // §5a); a notary whose log has no map ignores them. A stamped event already
  // in the log is refused here as the notary would (replayed_stamp).
  store::MapUpdater planner = store_->NewMapUpdater();
  std::vector<state_map::Proof> map_proofs, stamp_proofs;
  map_proofs.reserve(events.size());
  stamp_proofs.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    ASSIGN_OR_RETURN(Event event, DecodeEvent(events[i].event));
    ASSIGN_OR_RETURN(auto stamp, planner.ApplyStamp(events[i].event, events[i].stamp, head.size + i));
    stamp_proofs.push_back(stamp ? std::move(stamp->proof) : state_map::Proof());
    ASSIGN_OR_RETURN(auto step, planner.Apply(event, head.size + i));
    map_proofs.push_back(std::move(step.proof));
  }
  auto micros_since = [](std::chrono::steady_clock::time_point t) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - t)
                                     .count());
  };
  timings_ = {};
  auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(notary_client::Sequenced seq,
                   notary_->Append(head.size, head.root, events, map_proofs, stamp_proofs));
  timings_.notary_us = micros_since(t0);
  // The notary has signed the batch; the store does not hold it yet.
  CrashPoint("host.after_notary_append");
  t0 = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(Persist(seq, payloads));
  timings_.persist_us = micros_since(t0);
  // The synced WriteBatch is done; nobody has been told.
  CrashPoint("host.after_write_batch");
  return seq;
}

// The attestation document an ENCLAVE_BOOTED entry commits to, stored as its
// payload when the notary gives the same document again.
Result<std::vector<store::Payload>> NotaryHost::BootPayloads(const SequencedBatch& batch) {
  std::vector<store::Payload> out;
  if (manifest_file_.empty()) return out;
  ASSIGN_OR_RETURN(std::string manifest, ReadWholeFile(manifest_file_));
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
  return store_->Append(seq.batch, payloads);
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

}  // namespace ledger::host
