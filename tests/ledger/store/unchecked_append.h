// An entry appended to a store without the sequencer's checks, signed with
// the test log key: what a log written before a rule existed (or by a notary
// that did not keep it) may hold. Readers must still judge such entries, so
// their tests need a way to put them in a store.
#pragma once

#include "ledger/note/checkpoint.h"
#include "ledger/record/leaf.h"
#include "ledger/record/state_map.h"
#include "ledger/store/log_store.h"
#include "test_log.h"

namespace ledger::testing {

// Appends `e` as the next leaf of `st` (recorded one microsecond after the
// last one) under a checkpoint signed by LogKey(), with the map line the
// store expects; returns the batch written. The caller's sequencer, if any,
// is left behind: keep appending with this.
inline Result<SequencedBatch> AppendUnchecked(store::LogStore& st, const SubmittedEvent& e,
                                              std::span<const store::Payload> payloads = {}) {
  ASSIGN_OR_RETURN(store::LogStore::Head head, st.ReadHead());
  const uint64_t index = st.size();
  ASSIGN_OR_RETURN(merkle::CompactRange range,
                   merkle::CompactRange::FromNodes(index, head.frontier));
  Leaf leaf{index, 0, ChainGenesis(st.origin()), e.event, e.stamp};
  if (!head.last_leaf.empty()) {
    ASSIGN_OR_RETURN(Leaf last, DecodeLeaf(head.last_leaf));
    leaf.recorded_at_us = last.recorded_at_us + 1;
    leaf.prev_leaf_hash = merkle::LeafHash(head.last_leaf);
  }
  SequencedBatch b;
  b.first_index = index;
  ASSIGN_OR_RETURN(Bytes bytes, EncodeLeaf(leaf));
  b.leaf_hashes.push_back(merkle::LeafHash(bytes));
  b.leaves.push_back(std::move(bytes));
  range.Append(b.leaf_hashes[0]);
  store::MapUpdater planner = st.NewMapUpdater();
  ASSIGN_OR_RETURN(Event event, DecodeEvent(e.event));
  // The keys the store sets for it (stamp key, subject, retention keys:
  // map.md §5a, §5b), as LogStore::Append replays them.
  RETURN_IF_ERROR(planner.ApplyEntry(e.event, e.stamp, event, index));
  b.checkpoint =
      Checkpoint{st.origin(), index + 1, range.Root(), {state_map::ExtensionLine(planner.root())}};
  auto signer = note::NewEd25519Signer(st.origin(), LogKey());
  ASSIGN_OR_RETURN(b.checkpoint_note, SignCheckpoint(b.checkpoint, *signer));
  RETURN_IF_ERROR(st.Append(b, payloads));
  return b;
}

}  // namespace ledger::testing
