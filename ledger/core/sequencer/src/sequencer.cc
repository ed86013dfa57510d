#include "ledger/sequencer/sequencer.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "ledger/note/witness_time.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/ownership.h"
#include "ledger/record/stamp.h"

namespace ledger {
namespace {

Status CheckSigner(const std::string& origin, const note::Signer& signer) {
  RETURN_IF_ERROR(ValidateOrigin(origin));
  if (signer.name() != origin) {
    return Status::InvalidArgument("signer_origin_mismatch",
                                   "the log key's name must equal the origin");
  }
  return Status::Ok();
}

}  // namespace

Result<Sequencer> Sequencer::Genesis(std::string origin, std::unique_ptr<note::Signer> log_signer,
                                     SubmitterPolicy policy, Clock clock,
                                     SequencerOptions options) {
  LEDGER_CHECK(log_signer != nullptr && clock != nullptr);
  RETURN_IF_ERROR(CheckSigner(origin, *log_signer));
  Sequencer s(std::move(origin), std::move(log_signer), std::move(policy), std::move(clock),
              options);
  s.head_.last_leaf_hash = ChainGenesis(s.origin_);
  s.head_.map_root = state_map::EmptyHash();
  Checkpoint cp{s.origin_, 0, merkle::EmptyRoot(), s.Extensions(s.head_.map_root)};
  ASSIGN_OR_RETURN(s.head_.checkpoint_note, s.SignHead(cp));
  return s;
}

Result<Sequencer> Sequencer::Restore(std::string origin, std::unique_ptr<note::Signer> log_signer,
                                     SubmitterPolicy policy, Clock clock,
                                     std::string_view checkpoint_note, std::vector<Hash> frontier,
                                     ByteView last_leaf, std::span<const Hash> last_leaf_proof,
                                     SequencerOptions options) {
  LEDGER_CHECK(log_signer != nullptr && clock != nullptr);
  RETURN_IF_ERROR(CheckSigner(origin, *log_signer));
  // Only a head signed by our own key is acceptable: the host cannot invent one.
  ASSIGN_OR_RETURN(auto verifier, note::ParseVerifierKey(log_signer->VerifierKey()));
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc, VerifyCheckpoint(checkpoint_note, *verifier));
  const Checkpoint& cp = vc.checkpoint;
  // The policy given must be the one this head was signed under (policy.md §5).
  std::vector<std::string> want;
  if (!options.checkpoint_extension.empty()) want.push_back(options.checkpoint_extension);
  std::vector<std::string> lines = cp.extensions;
  Hash map_root = state_map::EmptyHash();
  if (options.state_map) {
    // The map root comes from the head our own key signed, never from the
    // host (map.md §6): the host cannot restore the notary to an old map.
    ASSIGN_OR_RETURN(auto signed_map_root, state_map::FindRoot(cp.extensions));
    if (!signed_map_root) {
      return Status::FailedPrecondition("map_root_missing", "the head carries no map line");
    }
    map_root = *signed_map_root;
    std::erase(lines, state_map::ExtensionLine(map_root));
  }
  if (lines != want) {
    return Status::FailedPrecondition("policy_mismatch",
                                      "the head was not signed under the policy given");
  }
  ASSIGN_OR_RETURN(merkle::CompactRange range,
                   merkle::CompactRange::FromNodes(cp.size, std::move(frontier)));
  if (range.Root() != cp.root) {
    return Status::VerificationFailed("frontier_mismatch",
                                      "the frontier does not fold to the checkpoint root");
  }
  Sequencer s(std::move(origin), std::move(log_signer), std::move(policy), std::move(clock),
              options);
  s.head_.range = std::move(range);
  s.head_.checkpoint_note = std::string(checkpoint_note);
  s.head_.map_root = map_root;
  s.head_.last_leaf_hash = ChainGenesis(s.origin_);
  if (cp.size > 0) {
    Hash leaf_hash = merkle::LeafHash(last_leaf);
    RETURN_IF_ERROR(
        merkle::VerifyInclusion(cp.size - 1, cp.size, leaf_hash, last_leaf_proof, cp.root)
            .Annotate("last leaf"));
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(last_leaf));
    if (leaf.index != cp.size - 1) {
      return Status::VerificationFailed("chain_broken", "last leaf carries the wrong index");
    }
    s.head_.last_leaf_hash = leaf_hash;
    s.head_.last_recorded_at_us = leaf.recorded_at_us;
  } else if (!last_leaf.empty() || !last_leaf_proof.empty()) {
    return Status::InvalidArgument("unexpected_leaf", "an empty log has no last leaf");
  }
  return s;
}

bool SubmitterGrant::Allows(EventKind kind) const {
  return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool SubmitterGrant::Covers(std::string_view subject) const {
  return subjects.empty() ? !IsNotarySubject(subject) : SubjectGranted(subjects, subject);
}

Status Sequencer::CheckEvent(size_t position, const SubmittedEvent& e,
                             const Result<const note::Verifier*>* signer) const {
  auto where = "event " + std::to_string(position);
  auto decoded = DecodeEvent(e.event);
  if (!decoded.ok()) return decoded.status().Annotate(where);
  const Event& event = *decoded;
  // The notary's own records carry the log key's stamp, and the log key
  // stamps nothing else: no policy, not even an empty one, lets the host or
  // a submitter write a boot or policy record (ownership.h).
  const bool notary_record = IsNotaryRecord(event);
  auto reserved = [&] {
    return Status::FailedPrecondition(
        "reserved_for_notary", where + ": only the log key writes " +
                                   std::string(EventKindName(event.kind)) + " on " + event.subject);
  };
  if (signer == nullptr) {
    if (notary_record) return reserved();
    if (policy_.RequiresStamps()) {
      return Status::VerificationFailed("missing_stamp", where + ": the policy requires a stamp");
    }
    return Status::Ok();
  }
  if (!signer->ok()) return signer->status().Annotate(where);
  if (**signer == log_verifier_.get()) {
    if (notary_record) return Status::Ok();
    return Status::FailedPrecondition("unauthorized_kind",
                                      where + ": the log key stamps only the notary's records");
  }
  if (notary_record) return reserved();
  for (const auto& g : policy_.submitters) {
    if (g.key.get() != **signer) continue;
    if (!g.Allows(event.kind)) {
      return Status::FailedPrecondition(
          "unauthorized_kind", where + ": " + g.key->name() + " may not append " +
                                   std::string(EventKindName(event.kind)));
    }
    if (!g.Covers(event.subject)) {
      return Status::FailedPrecondition(
          "subject_not_granted", where + ": " + g.key->name() + " may not name " + event.subject);
    }
  }
  return Status::Ok();
}

void Sequencer::ForEach(size_t n, const std::function<void(size_t)>& body) const {
  if (!options_.parallel_for || n < 2) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  options_.parallel_for(n, body);
}

Status Sequencer::CheckEvents(std::span<const SubmittedEvent> events) const {
  std::vector<const note::Verifier*> known;
  known.reserve(policy_.submitters.size() + 1);
  known.push_back(log_verifier_.get());
  for (const auto& g : policy_.submitters) known.push_back(g.key.get());

  // 1. What each stamp claims: hashing only (the event, and a batch stamp's
  //    path up to its root).
  std::vector<std::optional<Result<StampClaim>>> claims(events.size());
  ForEach(events.size(), [&](size_t i) {
    if (!events[i].stamp.empty()) claims[i] = ClaimOf(origin_, events[i].event, events[i].stamp);
  });
  // 2. One signature check per distinct claim of a batch stamp: the events of
  //    one request share the text, the key and the signature. A per-event
  //    stamp's text names its event's hash, so it is its own claim.
  std::vector<size_t> claim_of(events.size());
  std::vector<size_t> distinct;  // the event whose claim is checked
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    claim_of[i] = i;
    if (!claims[i] || !claims[i]->ok() || !(*claims[i])->stamp.batch) {
      distinct.push_back(i);
      continue;
    }
    const Stamp& st = (*claims[i])->stamp;
    std::string key = (*claims[i])->text;
    key += st.key_name;
    key += '\n';
    key += std::to_string(st.key_id);
    key += '\n';
    key.append(AsString(st.payload));
    auto [it, inserted] = seen.emplace(std::move(key), i);
    if (inserted) {
      distinct.push_back(i);
    } else {
      claim_of[i] = it->second;
    }
  }
  std::vector<std::optional<Result<const note::Verifier*>>> signers(events.size());
  ForEach(distinct.size(), [&](size_t k) {
    const size_t i = distinct[k];
    if (!claims[i]) return;
    if (!claims[i]->ok()) {
      signers[i] = Result<const note::Verifier*>(claims[i]->status());
      return;
    }
    signers[i] = VerifyClaim(**claims[i], known);
  });
  // 3. The policy, per event; the answer is the first refusal in batch order.
  std::vector<Status> results(events.size());
  ForEach(events.size(), [&](size_t i) {
    const auto& s = signers[claim_of[i]];
    results[i] = CheckEvent(i, events[i], s ? &*s : nullptr);
  });
  for (Status& s : results) RETURN_IF_ERROR(std::move(s));
  return Status::Ok();
}

void Sequencer::RememberStamp(const Hash& digest) {
  if (options_.replay_window == 0) return;
  std::string key(digest.bytes.begin(), digest.bytes.end());
  if (!recent_stamps_.insert(key).second) return;
  recent_order_.push_back(std::move(key));
  if (recent_order_.size() > options_.replay_window) {
    recent_stamps_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
}

void Sequencer::SetPolicy(SubmitterPolicy policy, std::string checkpoint_extension) {
  policy_ = std::move(policy);
  options_.checkpoint_extension = std::move(checkpoint_extension);
}

std::vector<std::string> Sequencer::Extensions(const Hash& map_root) const {
  std::vector<std::string> lines;
  if (!options_.checkpoint_extension.empty()) lines.push_back(options_.checkpoint_extension);
  // An extension line is part of the signed note text (C2SP tlog-checkpoint),
  // so witnesses cosign the map root with the log root (map.md §6).
  if (options_.state_map) lines.push_back(state_map::ExtensionLine(map_root));
  return lines;
}

Status Sequencer::UpdateMap(size_t position, uint64_t index, const Event& event,
                            const state_map::Proof& proof, Hash& map_root) const {
  const std::string where = "event " + std::to_string(position);
  const Hash key = state_map::KeyOf(event.subject);
  auto previous = state_map::VerifyProof(map_root, key, proof);
  if (!previous.ok()) return previous.status().Annotate(where + " map proof");
  // Every entry that moves a subject's state is a compare-and-swap (map.md §5).
  if (IsCompareAndSwap(event)) {
    RETURN_IF_ERROR(
        state_map::CheckStateTransition(*previous, event.prior_state_hash, event.new_state_hash)
            .Annotate(where + " (" + event.subject + ")"));
  }
  const state_map::Value value = state_map::NextValue(*previous, index, event.new_state_hash);
  ASSIGN_OR_RETURN(map_root, state_map::ApplyUpdate(map_root, key, proof, value));
  return Status::Ok();
}

void Sequencer::SetWitnessTime(uint64_t seconds) {
  witness_time_ = std::max(witness_time_.value_or(0), seconds);
}

Result<uint64_t> Sequencer::Now() const {
  const uint64_t now_us = clock_();
  if (witness_time_) RETURN_IF_ERROR(CheckClockAgainstWitnesses(now_us, *witness_time_));
  // A clock far behind the log's last time was moved back (or the last time
  // was written by a clock moved forward): pinning recorded_at to the past
  // value would hide either, for as long as the gap lasts.
  constexpr uint64_t kMaxStepBackUs = kMaxClockSkewSeconds * 1'000'000;
  if (now_us < head_.last_recorded_at_us && head_.last_recorded_at_us - now_us > kMaxStepBackUs) {
    return Status::FailedPrecondition(
        "clock_skew", "the clock (" + std::to_string(now_us) + " us) is more than " +
                          std::to_string(kMaxClockSkewSeconds) +
                          " s behind the last recorded_at (" +
                          std::to_string(head_.last_recorded_at_us) + " us)");
  }
  return std::max(now_us, head_.last_recorded_at_us);
}

Status Sequencer::RecordStamp(size_t position, uint64_t index, const SubmittedEvent& e,
                              std::span<const state_map::Proof> stamp_proofs,
                              Hash& map_root) const {
  if (e.stamp.empty()) return Status::Ok();
  const std::string where = "event " + std::to_string(position);
  if (!state_map::RecordsStamp(e.stamp, signer_->name(), signer_->key_id())) {
    // The log key stamps only the entries the notary makes itself, fresh
    // (ENCLAVE_BOOTED, POLICY_CHANGED; the host cannot know their bytes to
    // prove a key for them) and never takes from the host. Make sure it is
    // the log key, not a submitter key with the same name and key ID.
    ASSIGN_OR_RETURN(auto own, note::ParseVerifierKey(signer_->VerifierKey()));
    const note::Verifier* keys[] = {own.get()};
    return VerifyStamp(origin_, e.event, e.stamp, keys).status().Annotate(where);
  }
  if (position >= stamp_proofs.size()) {
    return Status::InvalidArgument("map_proofs_missing", where + " needs a stamp key proof");
  }
  const Hash key = state_map::StampKeyOf(e.event);
  auto previous = state_map::VerifyProof(map_root, key, stamp_proofs[position]);
  if (!previous.ok()) return previous.status().Annotate(where + " stamp key proof");
  if (previous->has_value()) {
    return Status::FailedPrecondition(
        "replayed_stamp", where + " was already sequenced, at index " +
                              std::to_string((*previous)->index));
  }
  ASSIGN_OR_RETURN(map_root, state_map::ApplyUpdate(map_root, key, stamp_proofs[position],
                                                    state_map::StampValue(index)));
  return Status::Ok();
}

Result<std::string> Sequencer::SignHead(const Checkpoint& cp) const {
  return SignCheckpoint(cp, *signer_);
}

Result<SequencedBatch> Sequencer::Sequence(uint64_t expected_size, const Hash& expected_root,
                                           std::span<const SubmittedEvent> events,
                                           std::span<const state_map::Proof> map_proofs,
                                           std::span<const state_map::Proof> stamp_proofs,
                                           std::span<const std::optional<retention_map::RetentionProof>>
                                               retention_proofs) {
  if (expected_size != head_.size() || expected_root != head_.range.Root()) {
    return Status::FailedPrecondition(
        "head_mismatch", "host head (size " + std::to_string(expected_size) +
                             ") differs from the sequencer's (size " +
                             std::to_string(head_.size()) + ")");
  }
  if (events.empty()) return Status::InvalidArgument("empty_batch", "a batch needs events");
  if (events.size() > options_.max_batch) {
    return Status::InvalidArgument("batch_too_large",
                                   "at most " + std::to_string(options_.max_batch) + " events");
  }
  if (options_.state_map && map_proofs.size() != events.size()) {
    return Status::InvalidArgument("map_proofs_missing", "the state map needs one proof per event");
  }
  RETURN_IF_ERROR(CheckEvents(events));
  // A stamped event is a submitter's one-time authorization: the host must
  // not be able to append it twice. With the map, its stamp key says so for
  // the life of the log (RecordStamp); without, only a window remembers.
  std::vector<Hash> stamps;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].stamp.empty() || options_.state_map) continue;
    Hash d = Sha256::Digest(events[i].stamp);
    std::string key(d.bytes.begin(), d.bytes.end());
    if (recent_stamps_.contains(key) || std::find(stamps.begin(), stamps.end(), d) != stamps.end()) {
      return Status::FailedPrecondition("replayed_stamp",
                                        "event " + std::to_string(i) + " was already sequenced");
    }
    stamps.push_back(d);
  }

  // Work on a copy: the head changes only once everything, signature
  // included, has succeeded.
  LogHead next = head_;
  SequencedBatch out;
  out.first_index = next.size();
  ASSIGN_OR_RETURN(const uint64_t now, Now());
  for (size_t i = 0; i < events.size(); ++i) {
    const SubmittedEvent& e = events[i];
    if (options_.state_map) {
      ASSIGN_OR_RETURN(Event event, DecodeEvent(e.event));  // decoded once already by CheckEvent
      RETURN_IF_ERROR(RecordStamp(i, next.size(), e, stamp_proofs, next.map_root));
      RETURN_IF_ERROR(UpdateMap(i, next.size(), event, map_proofs[i], next.map_root));
      // The retention rules, at this batch's recorded_at, on the records the
      // host proves (retention.md §5); disposed records are entries of the
      // head the batch extends.
      if (RuleOf(event) != RetentionRule::kNone) {
        const std::string where = "event " + std::to_string(i);
        if (i >= retention_proofs.size() || !retention_proofs[i]) {
          return Status::InvalidArgument("retention_proof_missing",
                                         where + " needs a retention proof");
        }
        RETURN_IF_ERROR(retention_map::ApplyEntry(event, StamperOf(e.stamp), next.size(), now,
                                                  {head_.size(), head_.range.Root()},
                                                  *retention_proofs[i], next.map_root)
                            .Annotate(where + " (" + std::string(EventKindName(event.kind)) +
                                      " " + event.subject + ")"));
      }
    }
    Leaf leaf{next.size(), now, next.last_leaf_hash, e.event, e.stamp};
    ASSIGN_OR_RETURN(Bytes bytes, EncodeLeaf(leaf));
    Hash h = merkle::LeafHash(bytes);
    next.range.Append(h);
    next.last_leaf_hash = h;
    out.leaves.push_back(std::move(bytes));
    out.leaf_hashes.push_back(h);
  }
  next.last_recorded_at_us = now;
  LEDGER_CHECK(next.size() == head_.size() + events.size());
  out.checkpoint = Checkpoint{origin_, next.size(), next.range.Root(), Extensions(next.map_root)};
  ASSIGN_OR_RETURN(out.checkpoint_note, SignHead(out.checkpoint));
  next.checkpoint_note = out.checkpoint_note;
  head_ = std::move(next);
  for (const Hash& d : stamps) RememberStamp(d);
  return out;
}

}  // namespace ledger
