// The sequencing state machine the notary runs.
//
// A Sequencer holds the log head (size, compact range, hash-chain head,
// last timestamp, latest signed checkpoint) and the log signer. Sequence()
// verifies a batch against that head and the submitter policy, assigns
// indices and never-decreasing timestamps, extends the chain and the tree,
// and signs the new checkpoint. Because every checkpoint it signs extends its
// own compact range, it can never sign two inconsistent checkpoints; Restore()
// only accepts a head that its own key signed and that matches the frontier.
//
// The signer is passed in: the notary enclave derives it from the quorum key,
// tools and tests build it from a seed. Nothing here does I/O.
//
// Thread-safety: not thread-safe; one caller at a time (the notary is
// single-threaded by design).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <deque>
#include <optional>
#include <unordered_set>
#include <span>
#include <string>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention_map.h"
#include "ledger/sequencer/types.h"

namespace ledger {

class Sequencer {
 public:
  using Clock = std::function<uint64_t()>;  // microseconds since the Unix epoch

  // A new, empty log. Signs the size-0 checkpoint.
  static Result<Sequencer> Genesis(std::string origin, std::unique_ptr<note::Signer> log_signer,
                                   SubmitterPolicy policy, Clock clock,
                                   SequencerOptions options = {});

  // Resumes from a head the host shows: the checkpoint must carry this log
  // key's valid signature, the frontier must fold to its root, and, for a
  // non-empty log, `last_leaf` must be the leaf at size-1 with an inclusion
  // proof against that root (it gives the chain head and the last timestamp).
  // FailedPrecondition("policy_mismatch") when the checkpoint's extension
  // lines (but the map line) are not exactly options.checkpoint_extension
  // (none if empty): the policy given is not the one in force at that head.
  // With options.state_map the head must carry a map line
  // (FailedPrecondition("map_root_missing")): it is the map root restored.
  static Result<Sequencer> Restore(std::string origin, std::unique_ptr<note::Signer> log_signer,
                                   SubmitterPolicy policy, Clock clock,
                                   std::string_view checkpoint_note,
                                   std::vector<Hash> frontier, ByteView last_leaf,
                                   std::span<const Hash> last_leaf_proof,
                                   SequencerOptions options = {});

  // Sequences a batch on top of the head the host believes in. Fails without
  // changing state: FailedPrecondition("head_mismatch") when (expected_size,
  // expected_root) is not the current head; InvalidArgument for an empty or
  // oversize batch or an invalid event (the message names its position);
  // VerificationFailed for a stamp that does not satisfy the policy;
  // FailedPrecondition("unauthorized_kind") when the submitter may not append
  // that kind (or the log key stamped anything but a notary record);
  // FailedPrecondition("subject_not_granted") when the subject lies outside
  // the submitter's grant; FailedPrecondition("reserved_for_notary") for a
  // notary record (ownership.h) without the log key's stamp;
  // FailedPrecondition("state_conflict") for a compare-and-swap entry
  // (IsCompareAndSwap) whose prior state is not the current one (map.md §5);
  // FailedPrecondition("replayed_stamp") for a stamped event that
  // is already in the log (with the state map: its stamp key is; without:
  // within the replay window) or twice in the batch;
  // FailedPrecondition("clock_skew") when the clock is more than
  // kMaxClockSkewSeconds (witness_time.h) behind the last recorded_at (a
  // clock moved back: recorded_at never decreases, and it is not pinned to a
  // past value either), or, once SetWitnessTime was called, more than that
  // from the witness time (CheckClockAgainstWitnesses). A smaller step back
  // keeps the last recorded_at.
  // With the state map, `map_proofs[i]` proves event i's subject and
  // `stamp_proofs[i]` its stamp key (map.md §5a; needed for a stamped event
  // not stamped by the log key, ignored otherwise), each against the map as
  // it is before that update: for entry i the stamp key is set first, then
  // the subject. InvalidArgument("map_proofs_missing") when one is missing.
  // With the state map the retention rules are enforced here, at the
  // recorded_at this batch gets (retention.md §5, map.md §5b): an entry that
  // invokes one (RuleOf, retention.h) needs `retention_proofs[i]`
  // (InvalidArgument("retention_proof_missing") otherwise), proven against
  // the map after its subject's update; a refused rule refuses the whole
  // batch with its stable reason (FailedPrecondition "retention_not_expired",
  // "legal_hold_active", "same_stamper_release", "retention_shortened", ...;
  // the message names the event's position), a proof that does not verify
  // with map_proof_mismatch, retention_record_mismatch or
  // record_proof_mismatch.
  Result<SequencedBatch> Sequence(
      uint64_t expected_size, const Hash& expected_root, std::span<const SubmittedEvent> events,
      std::span<const state_map::Proof> map_proofs = {},
      std::span<const state_map::Proof> stamp_proofs = {},
      std::span<const std::optional<retention_map::RetentionProof>> retention_proofs = {});

  // Changes the policy for later batches and the extension line on later
  // checkpoints (empty: none). The caller sequences the entry that records
  // the change (POLICY_CHANGED) after this, so its checkpoint carries the new
  // line, and calls SetPolicy again with the old values if that fails.
  void SetPolicy(SubmitterPolicy policy, std::string checkpoint_extension);

  // The latest quorum time (witness_time.h), in seconds, of a cosigned
  // checkpoint of this log the caller verified; the sequencer keeps the
  // largest it was given and, from then on, sequences only while its clock
  // agrees with it.
  void SetWitnessTime(uint64_t seconds);
  std::optional<uint64_t> witness_time() const { return witness_time_; }

  const LogHead& head() const { return head_; }
  const SubmitterPolicy& policy() const { return policy_; }
  const std::string& checkpoint_extension() const { return options_.checkpoint_extension; }
  const std::string& origin() const { return origin_; }
  bool keeps_state_map() const { return options_.state_map; }
  // The log's verifier key string (C2SP vkey).
  std::string VerifierKey() const { return signer_->VerifierKey(); }

 private:
  Sequencer(std::string origin, std::unique_ptr<note::Signer> signer, SubmitterPolicy policy,
            Clock clock, SequencerOptions options)
      : origin_(std::move(origin)),
        signer_(std::move(signer)),
        policy_(std::move(policy)),
        clock_(std::move(clock)),
        options_(options),
        log_verifier_(note::ParseVerifierKey(signer_->VerifierKey()).value()) {}

  // The policy's checks of one event whose stamp (if any) verified as
  // `signer` (or failed, the error then being the answer).
  Status CheckEvent(size_t position, const SubmittedEvent& e,
                    const Result<const note::Verifier*>* signer) const;
  // Every event's stamp and policy, on options_.parallel_for when given,
  // verifying each distinct signature once (one per batch stamp, stamp.md
  // §7.4); the first refusal in batch order.
  Status CheckEvents(std::span<const SubmittedEvent> events) const;
  void ForEach(size_t n, const std::function<void(size_t)>& body) const;
  void RememberStamp(const Hash& digest);
  Result<std::string> SignHead(const Checkpoint& cp) const;
  // The recorded_at of the next batch, or FailedPrecondition("clock_skew").
  Result<uint64_t> Now() const;
  std::vector<std::string> Extensions(const Hash& map_root) const;
  // Moves `map_root` by the event at log index `index` (map.md §4, §5).
  Status UpdateMap(size_t position, uint64_t index, const Event& event,
                   const state_map::Proof& proof, Hash& map_root) const;
  // Sets the stamp key of the event at log index `index` (map.md §5a);
  // FailedPrecondition("replayed_stamp") when it is already set.
  Status RecordStamp(size_t position, uint64_t index, const SubmittedEvent& e,
                     std::span<const state_map::Proof> stamp_proofs, Hash& map_root) const;

  std::string origin_;
  std::unique_ptr<note::Signer> signer_;
  SubmitterPolicy policy_;
  Clock clock_;
  SequencerOptions options_;
  // The log key's verifier: the only key admitted for the notary's own
  // records (ownership.h), whatever the policy.
  std::shared_ptr<const note::Verifier> log_verifier_;
  LogHead head_;
  std::optional<uint64_t> witness_time_;  // SetWitnessTime
  // Without the state map: digests of recently sequenced stamps, oldest
  // first (bounded replay window).
  std::unordered_set<std::string> recent_stamps_;
  std::deque<std::string> recent_order_;
};

}  // namespace ledger
