// The values the sequencer takes and gives: the submitter policy, its options,
// a submitted event, the batch the host persists and the log head. Apart from
// the Sequencer itself (sequencer.h) so that the store, the host and the
// policy document can name them without the state machine.
//
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"

namespace ledger {

// One submitter's key and what it may append.
struct SubmitterGrant {
  std::shared_ptr<const note::Verifier> key;  // C2SP vkey (Ed25519)
  // The event kinds this submitter may append. Default: empty, every kind.
  std::vector<EventKind> kinds;
  // The subject prefixes it may name (SubjectGranted, ownership.h). Default:
  // empty, every subject.
  std::vector<std::string> subjects = {};

  bool Allows(EventKind kind) const;
  // Never true for a notary subject (ownership.h).
  bool Covers(std::string_view subject) const;
};

// Who may submit what. With no submitters configured and require_stamps
// false, unstamped events are accepted (a log fed only by a trusted host),
// except the notary's own records (ownership.h): whatever the policy, those
// are sequenced only with the log key's stamp, and the log key stamps
// nothing else.
struct SubmitterPolicy {
  // Default: none.
  std::vector<SubmitterGrant> submitters;
  // Reject unstamped events. Default: true when submitters is non-empty.
  std::optional<bool> require_stamps;

  bool RequiresStamps() const { return require_stamps.value_or(!submitters.empty()); }
};

struct SequencerOptions {
  // Largest batch accepted by one Sequence() call. Default: 10000.
  size_t max_batch = 10000;
  // Without the state map only: how many recent stamps are remembered, in
  // memory and for this sequencer's life, to refuse a replayed stamped event
  // (32 bytes each). With the map every stamped event's stamp key is in the
  // map for the life of the log (map.md §5a) and no window is kept.
  // Default: 1,048,576.
  size_t replay_window = size_t{1} << 20;
  // The one extension line (C2SP tlog-checkpoint) on every checkpoint signed:
  // the notary binds the active policy to the head with it
  // ("policy <version> <hex digest>", schemas/formats/policy.md §5). Restore
  // refuses a head that does not carry exactly this line. Default: none.
  std::string checkpoint_extension;
  // Keep the state map (schemas/formats/map.md): hold its root, update it
  // from the proof each SubmittedEvent carries, refuse a STATE_NOTARIZED
  // entry whose prior state hash is not the current one, record every
  // stamped event's stamp key and refuse one already recorded, and end every
  // checkpoint with the line "map <hex root>" (after the policy line).
  // Restore then takes the map root from the head's map line. Default: false.
  bool state_map = false;
  // Runs body(i) for every i in [0, n), possibly on several threads, and
  // returns when all have run (an exception from body is rethrown here). The
  // sequencer hands it only the per-event checks of a batch (decoding, the
  // stamp signature, the policy: const, independent of each other) and still
  // refuses a batch with the first failing event in batch order, so the
  // answer is the same whatever the thread count. Default: empty, a plain
  // loop; the core starts no threads, the notary passes its verification
  // pool (notary-enclave/src/verify_pool.h).
  std::function<void(size_t n, const std::function<void(size_t)>& body)> parallel_for;
};

struct SubmittedEvent {
  Bytes event;  // canonical event bytes (schemas/formats/event.md)
  Bytes stamp;  // stamp bytes (schemas/formats/stamp.md), empty if unstamped
};

// What the host must persist, in one write, before answering anyone.
struct SequencedBatch {
  uint64_t first_index = 0;
  std::vector<Bytes> leaves;       // exact leaf bytes, index first_index + i
  std::vector<Hash> leaf_hashes;   // merkle::LeafHash of each
  Checkpoint checkpoint;           // size = first_index + leaves.size()
  std::string checkpoint_note;     // signed by the log key
};

struct LogHead {
  merkle::CompactRange range;     // frontier of [0, size)
  Hash last_leaf_hash;            // chain head: ChainGenesis(origin) when empty
  uint64_t last_recorded_at_us = 0;
  std::string checkpoint_note;    // the latest checkpoint this sequencer signed or accepted
  Hash map_root;                  // state map root (SequencerOptions::state_map)

  uint64_t size() const { return range.size(); }
};

}  // namespace ledger
