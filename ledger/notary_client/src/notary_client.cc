// The host-side notary client (see notary_client.h).
#include "ledger/notary_client/notary_client.h"

#include <unistd.h>

#include "ledger/merkle/merkle.h"
#include "ledger/notary_client/notary_address.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "notary/frame.h"

namespace ledger::notary_client {

namespace {

std::string Str(ByteView b) { return std::string(AsString(b)); }
Bytes Raw(const std::string& s) { return ToBytes(s); }

void AddHashes(std::span<const Hash> hashes,
               google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const Hash& h : hashes) out->Add(Str(h.view()));
}

}  // namespace

Status StatusFromError(const pb::Error& error) {
  for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kFailedPrecondition,
                 Code::kUnavailable, Code::kCorruption, Code::kVerificationFailed,
                 Code::kInternal}) {
    if (CodeName(c) == error.code()) return Status(c, error.reason(), error.message());
  }
  return Status::Internal(error.reason().empty() ? "notary_error" : error.reason(),
                          error.code() + ": " + error.message());
}

Result<Sequenced> FromProto(const pb::Sequenced& s) {
  Sequenced out;
  out.batch.first_index = s.first_index();
  for (const std::string& leaf : s.leaves()) {
    out.batch.leaves.push_back(Raw(leaf));
    out.batch.leaf_hashes.push_back(merkle::LeafHash(out.batch.leaves.back()));
  }
  ASSIGN_OR_RETURN(note::Note note, note::Parse(s.checkpoint_note()));
  ASSIGN_OR_RETURN(out.batch.checkpoint, Checkpoint::FromText(note.text));
  if (out.batch.checkpoint.size != s.first_index() + out.batch.leaves.size()) {
    return Status::InvalidArgument("unexpected_response",
                                   "the checkpoint size does not close the batch");
  }
  out.batch.checkpoint_note = s.checkpoint_note();
  out.app_proof = {s.app_proof().payload(), Raw(s.app_proof().signature()),
                   Raw(s.app_proof().public_key())};
  return out;
}

Result<std::unique_ptr<NotaryClient>> NotaryClient::Connect(const std::string& address) {
  ASSIGN_OR_RETURN(NotaryAddress parsed, ParseNotaryAddress(address));
  ASSIGN_OR_RETURN(int fd, ConnectNotary(parsed));
  return std::make_unique<NotaryClient>(fd);
}

NotaryClient::~NotaryClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<pb::NotaryResponse> NotaryClient::Call(const pb::HostRequest& request,
                                              pb::NotaryResponse::BodyCase expected) {
  ASSIGN_OR_RETURN(Bytes frame, notary::frame::EncodeRequest(request));
  RETURN_IF_ERROR(notary::frame::WriteAll(fd_, frame));
  auto body = notary::frame::ReadBody(fd_);
  if (!body.ok() && body.status().reason() == "connection_closed") {
    return Status::Unavailable("io_error", "the notary closed the connection");
  }
  if (!body.ok()) return body.status();
  ASSIGN_OR_RETURN(pb::NotaryResponse response, notary::frame::DecodeResponseBody(*body));
  if (response.has_error()) return StatusFromError(response.error());
  if (response.body_case() != expected) {
    return Status::InvalidArgument("unexpected_response", "the notary answered another request");
  }
  return response;
}

Result<pb::StatusInfo> NotaryClient::GetStatus() {
  pb::HostRequest req;
  req.mutable_get_status();
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(req, pb::NotaryResponse::kStatus));
  return r.status();
}

Result<BootProof> NotaryClient::GetBootProof(ByteView manifest) {
  pb::HostRequest req;
  req.mutable_get_boot_proof()->set_manifest(Str(manifest));
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(req, pb::NotaryResponse::kBootProof));
  ASSIGN_OR_RETURN(Hash digest, Hash::FromBytes(AsBytes(r.boot_proof().manifest_digest())));
  return BootProof{Raw(r.boot_proof().attestation()),
                   Raw(r.boot_proof().ephemeral_public_key()), digest};
}

Result<Provisioned> NotaryClient::Provision(ByteView manifest, std::span<const Bytes> approvals,
                                            std::span<const Bytes> sealed_shares) {
  pb::HostRequest req;
  pb::Provision* p = req.mutable_provision();
  p->set_manifest(Str(manifest));
  for (const Bytes& a : approvals) p->add_approvals(Str(a));
  for (const Bytes& s : sealed_shares) p->add_sealed_shares(Str(s));
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(req, pb::NotaryResponse::kProvisioned));
  const pb::Provisioned& out = r.provisioned();
  return Provisioned{out.origin(), out.log_vkey(), Raw(out.registry_public_key())};
}

Result<std::optional<Sequenced>> NotaryClient::DoRestore(const pb::HostRequest& request) {
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(request, pb::NotaryResponse::kRestored));
  if (!r.restored().has_boot_entry()) return std::optional<Sequenced>();
  ASSIGN_OR_RETURN(Sequenced s, FromProto(r.restored().boot_entry()));
  return std::optional<Sequenced>(std::move(s));
}

Result<std::optional<Sequenced>> NotaryClient::Genesis(bool state_map) {
  pb::HostRequest req;
  req.mutable_restore()->set_genesis(true);
  req.mutable_restore()->set_state_map(state_map);
  return DoRestore(req);
}

Result<std::optional<Sequenced>> NotaryClient::Restore(const Head& head) {
  pb::HostRequest req;
  pb::Restore* r = req.mutable_restore();
  r->set_checkpoint_note(head.checkpoint_note);
  AddHashes(head.frontier, r->mutable_frontier());
  r->set_last_leaf(Str(head.last_leaf));
  AddHashes(head.last_leaf_proof, r->mutable_last_leaf_proof());
  r->set_policy(Str(head.policy));
  r->set_boot_map_proof(Str(head.boot_map_proof));
  return DoRestore(req);
}

Result<Sequenced> NotaryClient::Append(uint64_t expected_size, const Hash& expected_root,
                                       std::span<const SubmittedEvent> events,
                                       std::span<const state_map::Proof> map_proofs,
                                       std::span<const state_map::Proof> stamp_proofs,
                                       RetentionProofs retention_proofs) {
  return SendSequencing(AppendRequest(expected_size, expected_root, events, map_proofs,
                                      stamp_proofs, retention_proofs));
}

pb::HostRequest NotaryClient::AppendRequest(uint64_t expected_size, const Hash& expected_root,
                                            std::span<const SubmittedEvent> events,
                                            std::span<const state_map::Proof> map_proofs,
                                            std::span<const state_map::Proof> stamp_proofs,
                                            RetentionProofs retention_proofs) {
  pb::HostRequest req;
  pb::Append* a = req.mutable_append();
  a->set_expected_size(expected_size);
  a->set_expected_root(Str(expected_root.view()));
  for (size_t i = 0; i < events.size(); ++i) {
    pb::SubmittedEvent* pe = a->add_events();
    pe->set_event(Str(events[i].event));
    pe->set_stamp(Str(events[i].stamp));
    if (i < map_proofs.size()) pe->set_map_proof(Str(map_proofs[i].Encode()));
    if (i < stamp_proofs.size() && !events[i].stamp.empty()) {
      pe->set_stamp_proof(Str(stamp_proofs[i].Encode()));
    }
    if (i < retention_proofs.size() && retention_proofs[i]) {
      pe->set_retention_proof(Str(retention_proofs[i]->Encode()));
    }
  }
  return req;
}

Result<Sequenced> NotaryClient::SendSequencing(const pb::HostRequest& request) {
  if (!request.has_append() && !request.has_change_policy()) {
    return Status::InvalidArgument("bad_request", "not an Append or ChangePolicy request");
  }
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(request, pb::NotaryResponse::kSequenced));
  return FromProto(r.sequenced());
}

Result<Sequenced> NotaryClient::ChangePolicy(uint64_t expected_size, const Hash& expected_root,
                                             ByteView policy, std::span<const Bytes> approvals,
                                             const std::optional<state_map::Proof>& map_proof) {
  return SendSequencing(
      ChangePolicyRequest(expected_size, expected_root, policy, approvals, map_proof));
}

pb::HostRequest NotaryClient::ChangePolicyRequest(
    uint64_t expected_size, const Hash& expected_root, ByteView policy,
    std::span<const Bytes> approvals, const std::optional<state_map::Proof>& map_proof) {
  pb::HostRequest req;
  pb::ChangePolicy* c = req.mutable_change_policy();
  c->set_expected_size(expected_size);
  c->set_expected_root(Str(expected_root.view()));
  c->set_policy(Str(policy));
  for (const Bytes& a : approvals) c->add_approvals(Str(a));
  if (map_proof) c->set_map_proof(Str(map_proof->Encode()));
  return req;
}

Result<pb::HeadConfirmed> NotaryClient::ConfirmHead(std::string_view cosigned_checkpoint_note) {
  pb::HostRequest req;
  req.mutable_confirm_head()->set_checkpoint_note(std::string(cosigned_checkpoint_note));
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(req, pb::NotaryResponse::kHeadConfirmed));
  return r.head_confirmed();
}

Result<pb::ClockChecked> NotaryClient::CheckClock(std::string_view cosigned_checkpoint_note) {
  pb::HostRequest req;
  req.mutable_check_clock()->set_checkpoint_note(std::string(cosigned_checkpoint_note));
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(req, pb::NotaryResponse::kClockChecked));
  return r.clock_checked();
}

Result<pb::RegistryStatementSignature> NotaryClient::SignRegistryStatement(uint64_t tree_size,
                                                                         const Hash& root) {
  pb::HostRequest req;
  req.mutable_sign_registry_statement()->set_tree_size(tree_size);
  req.mutable_sign_registry_statement()->set_root_hash(Str(root.view()));
  ASSIGN_OR_RETURN(pb::NotaryResponse r, Call(req, pb::NotaryResponse::kRegistryStatementSignature));
  const pb::RegistryStatementSignature& got = r.registry_statement_signature();
  // The host trusts the notary, but not a confused answer on a shared socket.
  if (got.tree_size() != tree_size || got.root_hash() != Str(root.view()) ||
      got.map_root().size() != Hash::kSize || got.contract().size() != 20 ||
      got.signature().size() != 65) {
    return Status::InvalidArgument("unexpected_response",
                                   "the statement signature is not for the head asked for");
  }
  return got;
}

}  // namespace ledger::notary_client
