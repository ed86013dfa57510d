// LogStore: the log's persistent state on an untrusted Kv.
//
// It persists what the sequencer produced (leaves verbatim, C2SP tiles built
// incrementally, the signed checkpoint, payload bodies and search indexes) in
// one synced write per batch, and it treats its own storage as untrusted:
// every leaf, tile, root and proof it hands out is first verified against the
// latest checkpoint, whose signature is checked with a key the caller pins.
// Anything that does not verify is refused as Corruption.
//
// Thread-safety: all methods may be called concurrently; Append calls are
// serialised internally.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "ledger/merkle/merkle.h"
#include "ledger/merkle/tiles.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention_map.h"
#include "ledger/sequencer/types.h"
#include "ledger/store/kv.h"
#include "ledger/store/map_store.h"

namespace ledger::store {

class TileCache;

struct Payload {
  Hash digest;  // SHA-256(body); must equal the event's payload_digest
  Bytes body;
  std::string content_type;
};

// What the store knows of a payload body (LogStore::PayloadState).
enum class PayloadPresence { kStored, kDisposed, kMissing, kNeverReceived };

struct LeafWithProof {
  uint64_t index = 0;
  Bytes leaf;                  // exact leaf bytes
  Hash leaf_hash;
  uint64_t tree_size = 0;      // the proof is against this size...
  std::vector<Hash> proof;     // ...and its verified root
};

// Filters for FindEntries; every set field must match.
struct EntryQuery {
  std::optional<std::string> subject;
  std::optional<std::string> actor;
  std::optional<EventKind> kind;
  std::optional<Outcome> outcome;
  std::optional<uint64_t> from_us;  // recorded_at >= from_us
  std::optional<uint64_t> to_us;    // recorded_at < to_us
  uint64_t start_index = 0;         // cursor: only indices >= start_index
  // Only indices < end_index: a page relative to an older head, or the
  // cursor of a descending listing. Default: UINT64_MAX (the whole log).
  uint64_t end_index = UINT64_MAX;
  // Newest first: the `limit` highest matching indices in [start_index,
  // end_index), descending. Default: false (ascending from start_index).
  bool descending = false;
  size_t limit = 100;
};

// The notary's app proof over a batch (schemas/formats/app-proof.md).
struct BatchAppProof {
  std::string payload;
  Bytes signature;   // ECDSA P-256, raw r || s
  Bytes public_key;  // SEC1 uncompressed: the boot's ephemeral key
};

// A stored app proof with the batch it covers and the checkpoint note as the
// notary returned it (before any cosignature).
struct StoredAppProof {
  std::string notary_note;
  uint64_t first_index = 0;
  uint64_t count = 0;
  BatchAppProof proof;
};

struct LogStoreOptions {
  // Keep the state map (map.md §8) in every Append. Default: true. Only
  // benchmarks that measure what the map costs turn it off; such a store
  // answers no map query (and refuses a checkpoint with a map line).
  bool state_map = true;
  // Verified state-map nodes kept in memory (map_store.h MapNodeCache),
  // about 200 bytes each; 0: none, every read goes to the Kv and is checked
  // there. A cached node was checked against its address when read or
  // written, so what is served stays right even if the Kv is altered later;
  // such tampering is found by Audit() and by any process that reads it.
  // Default: 131072 (about 32 MiB).
  size_t map_node_cache = size_t{1} << 17;
  // For a reader (the explorer): adopt as the head only the latest stored
  // checkpoint that carries witnesses.quorum cosignatures of witnesses.keys,
  // so that nothing is ever served on a checkpoint the witnesses have not
  // seen (the notary signs one at every restart, before they confirm it).
  // Unavailable("witness_quorum_unavailable") while none does. Default:
  // quorum 0, the latest stored checkpoint. A writer (ledgerd) keeps the
  // default: it appends on the notary's head, cosigned or not.
  WitnessPolicy witnesses;
};

class LogStore {
 public:
  // Initializes an empty store for the log whose key is `log_verifier`
  // (its name is the origin), holding the size-0 checkpoint if one is given
  // (a notary's first batch brings the first checkpoint otherwise).
  // FailedPrecondition("store_not_empty") if the Kv already holds a log.
  static Result<std::unique_ptr<LogStore>> Create(
      std::unique_ptr<Kv> kv, std::string_view genesis_checkpoint_note,
      std::shared_ptr<const note::Verifier> log_verifier, LogStoreOptions options = {});

  // Opens an existing store. Verifies the latest checkpoint's signature with
  // the pinned log key and that the stored tiles fold to its root.
  static Result<std::unique_ptr<LogStore>> Open(std::unique_ptr<Kv> kv,
                                                std::shared_ptr<const note::Verifier> log_verifier,
                                                LogStoreOptions options = {});

  // For a reader following a writer in another process (the explorer on a
  // RocksDB secondary instance): catches the Kv up with the primary and, if
  // a newer checkpoint is stored, verifies and adopts it as Open does. A
  // stored head older than the one already adopted is refused as Corruption
  // ("store_rolled_back"): a reader never goes back in time.
  Status Refresh();

  const std::string& origin() const { return origin_; }
  uint64_t size() const;
  VerifiedCheckpoint latest() const;

  // Persists a sequenced batch in one synced write. The batch must start at
  // size(), its leaves must hash as stated, its checkpoint must verify and
  // its root must equal the root of the extended tree; otherwise nothing is
  // written (FailedPrecondition / VerificationFailed). The state map is
  // updated by every entry in the same write (map.md §5, §8); a checkpoint
  // that carries a map line must name the resulting root
  // (FailedPrecondition("map_root_mismatch")). `app_proof`, when given, is
  // kept with the batch's checkpoint in the same write (AppProofFor); it is
  // stored as received: the host checked it (NotaryHost::Persist) and every
  // reader checks it again (receipt.md §4).
  Status Append(const SequencedBatch& batch, std::span<const Payload> payloads = {},
                const BatchAppProof* app_proof = nullptr);

  // The stored app proof of the batch that sequenced entry `index`: the one
  // kept with the first stored checkpoint after it, if its range holds the
  // entry. NotFound("no_app_proof") when none does (a batch appended without
  // one, or a log written before they were kept); Corruption
  // ("malformed_record") for a record that does not parse,
  // ("bad_checkpoint") for one that names another batch or does not verify
  // (CheckpointAt, the audit and opening the store refuse it too).
  Result<StoredAppProof> AppProofFor(uint64_t index) const;

  // The state map: the root after the latest entry, the root after `size`
  // entries for a stored checkpoint size (checked against that checkpoint's
  // map line when it has one; NotFound("no_map_root") for other sizes), a
  // proof for `key` at that size (0: latest), and an updater on top of the
  // latest root for a host that plans a batch's proofs before sequencing it.
  Hash map_root() const;
  Result<Hash> MapRootAt(uint64_t size) const;
  Result<state_map::Proof> MapProof(const Hash& key, uint64_t size = 0) const;
  // A retention record (map.md §5b) by the SHA-256 a key's value names,
  // checked against it: Corruption("missing_retention_record") when the store
  // lacks it, ("map_node_corrupt") when its bytes hash to something else.
  Result<Bytes> MapRecord(const Hash& digest) const;
  MapUpdater NewMapUpdater() const;
  // Everything the notary needs to move the map by `events` on top of the
  // latest head, planned in its order (map.md §4, §5a, §5b): per event its
  // subject's proof, its stamp key's (an empty proof when it sets none) and
  // its retention proof (nullopt when it invokes no rule; a disposed
  // record's leaf is proven against the latest checkpoint). Refuses what
  // the notary would refuse without its clock (replayed_stamp, the
  // retention rules of MapUpdater::ApplyRetention).
  struct MapPlan {
    std::vector<state_map::Proof> map_proofs, stamp_proofs;
    std::vector<std::optional<retention_map::RetentionProof>> retention_proofs;
  };
  Result<MapPlan> PlanMap(std::span<const SubmittedEvent> events) const;

  // Replaces the stored checkpoint of the same size by `cosigned_note`: the
  // same checkpoint text with witness cosignature lines after the log's
  // signature (tlog-cosignature). One synced write. VerificationFailed
  // unless the log key's signature verifies; NotFound("checkpoint_not_found")
  // without a stored checkpoint of that size; FailedPrecondition
  // ("checkpoint_text_mismatch") if the text differs. The witness lines are
  // verified by the caller against its witness keys (readers check them
  // again with theirs).
  Status AddCosignatures(std::string_view cosigned_note);

  // The pending-append journal (docs/crash-safety.md): one slot holding the
  // request a host is about to send to the notary (opaque bytes here) and the
  // payload bodies of its events, written in one synced write before the
  // call and erased by the next Append. A host killed after the notary
  // signed and before Append stored the answer sends the same request again
  // at restart, and the notary answers it with the batch it already signed.
  // The slot is as untrusted as every stored record: the notary answers only
  // the byte-identical request, and the answer is verified like any other.
  struct PendingAppend {
    Bytes request;
    std::vector<Payload> payloads;
  };
  Status WritePendingAppend(const PendingAppend& pending);
  // NotFound("no_pending_append") when the slot is empty;
  // Corruption("malformed_record") when it does not parse.
  Result<PendingAppend> ReadPendingAppend() const;

  // The state a restarted sequencer needs: frontier of the latest size, and
  // the last leaf with its inclusion proof (empty for an empty log).
  struct Head {
    std::string checkpoint_note;
    std::vector<Hash> frontier;
    Bytes last_leaf;
    std::vector<Hash> last_leaf_proof;
  };
  Result<Head> ReadHead() const;

  // Verified reads. tree_size 0 means the latest size.
  Result<LeafWithProof> GetLeaf(uint64_t index, uint64_t tree_size = 0) const;
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const;
  Result<Hash> RootAt(uint64_t tree_size) const;
  // A hash tile (any width up to what is stored) or entry bundle, verified.
  Result<Bytes> ReadTile(const tiles::TileId& id) const;
  Result<Bytes> ReadEntryBundle(uint64_t index, uint32_t width) const;
  // The stored signed checkpoint of exactly this size, verified.
  Result<std::string> CheckpointAt(uint64_t size) const;
  // Sizes of stored checkpoints in [from, to], ascending, at most `limit`.
  Result<std::vector<uint64_t>> CheckpointSizes(uint64_t from, uint64_t to, size_t limit) const;
  // The newest stored checkpoint sizes <= to, descending, at most `limit`.
  Result<std::vector<uint64_t>> LatestCheckpointSizes(uint64_t to, size_t limit) const;
  Result<Payload> GetPayload(const Hash& digest) const;
  // Whether the body of `digest` is held (unchecked: GetPayload checks it),
  // was received with its entry and erased by a disposal (the host's note,
  // written with the erasure: AuditRetention judges disposals from the log
  // itself), received and gone without one, or never received (a digest
  // logged without its body).
  Result<PayloadPresence> PayloadState(const Hash& digest) const;
  // Erases the body of `digest` after the RECORD_DISPOSED entry at
  // `disposal_index`, noting the disposal (one write).
  Status ErasePayload(const Hash& digest, uint64_t disposal_index);

  // Indices of matching entries, ascending (descending with
  // query.descending). Index hits are re-checked
  // against the verified leaf, so a tampered index cannot return a wrong
  // entry (it can only hide one; the verifiable map closes that gap).
  Result<std::vector<uint64_t>> FindEntries(const EntryQuery& query) const;
  // The index of the first entry appended with this request id, checked
  // against that entry's verified leaf (Corruption "request_index_mismatch"
  // otherwise: a tampered record never answers a retry with another entry).
  Result<std::optional<uint64_t>> FindRequest(std::string_view request_id) const;
  // The index of the entry that sequenced this stamped event, from its stamp
  // key in the latest map (map.md §5a), checked against that entry's verified
  // leaf (Corruption "stamp_index_mismatch" otherwise). nullopt when the
  // event is not in the log, when it was stamped by the log key (no stamp
  // key) or when the store keeps no map.
  Result<std::optional<uint64_t>> FindStamp(ByteView event_bytes) const;

  // Full audit: every leaf re-hashed against its tile, every hash-chain link,
  // every tile re-derived from the level below, the root of every stored
  // checkpoint, every stamped event sequenced once (Corruption
  // "duplicate_stamp" naming both entries; map.md §5a); then the unsigned
  // columns: every payload body against its digest, every state-map node
  // against its hash, every request id and search key against the entry it
  // names.
  // O(n). Returns the first defect as Corruption.
  Status Audit() const;

  Kv& kv() { return *kv_; }
  // The pinned log key every checkpoint is verified with.
  const note::Verifier& log_verifier() const { return *verifier_; }

  ~LogStore();

 private:
  LogStore(std::unique_ptr<Kv> kv, std::shared_ptr<const note::Verifier> verifier);

  // Loads and verifies the latest stored checkpoint; a head smaller than
  // `min_size` is refused (Refresh), an unchanged one is kept as is.
  Status LoadHead(uint64_t min_size = 0);
  Status AuditIndexes() const;
  // Audit: no two stamped entries carry the same event (map.md §5a).
  Status AuditStamps() const;
  // Hash of the perfect subtree (level, index) from the stored tiles; not
  // verified by itself: callers verify what they derive against a root.
  // `use_cache` false reads storage directly (the append path, which would
  // otherwise fill the cache with short-lived edge tiles).
  Result<Hash> Node(uint32_t level, uint64_t index, bool use_cache = true) const;
  merkle::NodeSource Source() const;
  Result<std::vector<Hash>> TileHashes(uint32_t level, uint64_t index, uint32_t min_width) const;
  // Checks that `root` is the root of the log at `size` (<= latest size).
  Status VerifyRootAt(uint64_t size, const Hash& root, uint64_t latest_size,
                      const Hash& latest_root) const;
  Result<Bytes> RawLeaf(uint64_t index) const;
  // The stored map root after cp.size entries, checked against cp's map line.
  Result<Hash> StoredMapRoot(const Checkpoint& cp) const;

  std::unique_ptr<Kv> kv_;
  std::shared_ptr<const note::Verifier> verifier_;
  std::string origin_;

  // Full tiles with their internal nodes (src/tile_cache.h); 1024 tiles,
  // about 16 MiB.
  std::unique_ptr<TileCache> tile_cache_;
  // Verified state-map nodes (LogStoreOptions::map_node_cache); null: none.
  std::unique_ptr<MapNodeCache> map_cache_;

  std::mutex append_mu_;             // one Append at a time
  mutable std::shared_mutex mu_;     // guards the head below
  VerifiedCheckpoint latest_;
  merkle::CompactRange range_;
  Hash map_root_;
  LogStoreOptions options_;
};

}  // namespace ledger::store
