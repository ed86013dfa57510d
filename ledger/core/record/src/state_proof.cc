// Offline verification of a state answer (state_proof.h, map.md §9).
#include "ledger/record/state_proof.h"

#include "ledger/merkle/merkle.h"
#include "ledger/record/stamp.h"

namespace ledger::state_map {
namespace {

Status EntryMismatch(const std::string& why) {
  return Status::VerificationFailed("state_entry_mismatch", why);
}

}  // namespace

Result<VerifiedState> VerifyStateProof(const StateProof& p, const note::Verifier& log_key,
                                       const WitnessPolicy& witnesses) {
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc, VerifyCheckpoint(p.checkpoint_note, log_key, witnesses));
  VerifiedState out;
  out.checkpoint = vc.checkpoint;
  out.cosignatures = vc.cosignatures;
  ASSIGN_OR_RETURN(std::optional<Hash> map_root, FindRoot(out.checkpoint.extensions));
  if (!map_root) {
    return Status::FailedPrecondition("map_root_missing",
                                      "the checkpoint does not commit to a state map");
  }
  ASSIGN_OR_RETURN(out.value, VerifyProof(*map_root, KeyOf(p.subject), p.map_proof));
  if (!out.value) {
    if (!p.leaf.empty() || !p.inclusion_proof.empty()) {
      return EntryMismatch("an entry is given for a subject the map proves absent");
    }
    return out;
  }
  if (p.leaf.empty()) return EntryMismatch("the map records an entry but none is given");
  // The map's index is authoritative: an inclusion proof at any other index
  // could show an older entry of the subject.
  if (out.value->index >= out.checkpoint.size) {
    return EntryMismatch("the map records an index beyond the checkpoint");
  }
  RETURN_IF_ERROR(merkle::VerifyInclusion(out.value->index, out.checkpoint.size,
                                          merkle::LeafHash(p.leaf), p.inclusion_proof,
                                          out.checkpoint.root)
                      .Annotate("latest entry"));
  ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(p.leaf));
  ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
  if (leaf.index != out.value->index) return EntryMismatch("leaf index is not the map's");
  if (event.subject != p.subject) return EntryMismatch("the entry names another subject");
  if (event.new_state_hash && *event.new_state_hash != out.value->state) {
    return EntryMismatch("the entry's new state hash is not the recorded state");
  }
  if (event.new_state_hash) {
    out.set_by_kind = event.kind;
    out.set_by_stamper = "";
    if (!leaf.stamp.empty()) {
      ASSIGN_OR_RETURN(Stamp stamp, DecodeStamp(leaf.stamp));
      out.set_by_stamper = stamp.key_name;
    }
  }
  out.leaf = std::move(leaf);
  out.event = std::move(event);
  return out;
}

}  // namespace ledger::state_map
