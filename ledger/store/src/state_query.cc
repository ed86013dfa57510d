// State answers from a LogStore (state_query.h, map.md §9).
#include "ledger/store/state_query.h"

namespace ledger::store {

Result<state_map::StateProof> ProveState(const LogStore& store, std::string_view subject,
                                         uint64_t size) {
  const VerifiedCheckpoint latest = store.latest();
  if (size == 0) size = latest.checkpoint.size;
  state_map::StateProof p;
  p.subject = std::string(subject);
  if (size == latest.checkpoint.size) {
    p.checkpoint_note = latest.note;
  } else {
    auto note = store.CheckpointAt(size);
    if (!note.ok()) {
      if (note.status().code() == Code::kNotFound) {
        return Status::NotFound("no_checkpoint", "no checkpoint of size " + std::to_string(size));
      }
      return note.status();
    }
    p.checkpoint_note = *note;
  }
  if (p.checkpoint_note.empty()) {
    return Status::NotFound("no_checkpoint", "the log has no checkpoint yet");
  }
  const Hash key = state_map::KeyOf(subject);
  ASSIGN_OR_RETURN(p.map_proof, store.MapProof(key, size));
  ASSIGN_OR_RETURN(Hash root, store.MapRootAt(size));
  ASSIGN_OR_RETURN(auto value, state_map::VerifyProof(root, key, p.map_proof));
  if (value) {
    ASSIGN_OR_RETURN(LeafWithProof entry, store.GetLeaf(value->index, size));
    p.leaf = std::move(entry.leaf);
    p.inclusion_proof = std::move(entry.proof);
  }
  return p;
}

Result<std::vector<LeafWithProof>> StateHistory(const LogStore& store, std::string_view subject,
                                                uint64_t size, uint64_t start_index,
                                                size_t limit) {
  if (size == 0) size = store.size();
  EntryQuery q;
  q.subject = std::string(subject);
  q.start_index = start_index;
  q.limit = limit;
  ASSIGN_OR_RETURN(std::vector<uint64_t> indices, store.FindEntries(q));
  std::vector<LeafWithProof> out;
  for (uint64_t index : indices) {
    if (index >= size) break;
    ASSIGN_OR_RETURN(LeafWithProof entry, store.GetLeaf(index, size));
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace ledger::store
