#include "ledger/ledgerd/batcher.h"

#include <map>
#include <nlohmann/json.hpp>

#include "ledger/json_log/json_log.h"
#include "ledger/ledgerd/server.h"
#include "ledger/record/event.h"
#include "ledger/retention/retention.h"
#include "ledger/testing/crash_point.h"

namespace ledger::ledgerd {
namespace {

// Refusals that concern the input (a stamp, the policy, an event) rather
// than the notary or the store: worth retrying the batch's entries alone.
bool IsInputRefusal(const Status& s) {
  return s.code() == Code::kInvalidArgument || s.code() == Code::kVerificationFailed ||
         IsStateConflict(s) || s.reason() == "replayed_stamp" ||
         IsRetentionRefusal(s);  // a retention rule refused one request (retention.md §5)
}

void Observe(std::atomic<uint64_t>* buckets, std::initializer_list<double> bounds, double v) {
  size_t i = 0;
  for (double b : bounds) {
    if (v <= b) break;
    ++i;
  }
  buckets[i].fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Batcher::Batcher(store::LogStore* store, std::unique_ptr<notary_host::NotaryHost> host,
                 BatcherOptions options)
    : store_(store), host_(std::move(host)), options_(std::move(options)) {
  if (options_.awaiting_confirmation) {
    health_ = Status::Unavailable("witness_quorum_unavailable",
                                  "the restored head waits for the witness quorum's cosignatures");
  }
  thread_ = std::thread([this] { Run(); });
}

Batcher::~Batcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<std::vector<std::future<Result<Acknowledged>>>> Batcher::Submit(std::vector<Entry> entries) {
  std::vector<std::future<Result<Acknowledged>>> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!health_.ok()) return health_;
    if (stop_) return Status::Unavailable("shutting_down", "ledgerd is stopping");
    if (queue_.size() + entries.size() > options_.queue_limit) {
      stats_.rejected_full.fetch_add(1, std::memory_order_relaxed);
      return Status::Unavailable("queue_full", "the append queue is full; retry later");
    }
    auto now = std::chrono::steady_clock::now();
    for (Entry& e : entries) {
      queue_.push_back(Item{std::move(e), {}, now});
      out.push_back(queue_.back().done.get_future());
    }
  }
  cv_.notify_all();
  return out;
}

Status Batcher::ConfirmHead(const std::string& cosigned_note) {
  Result<notary_client::pb::HeadConfirmed> confirmed = Status::Internal("unset", "unset");
  {
    std::lock_guard<std::mutex> notary(notary_mu_);
    confirmed = host_->client().ConfirmHead(cosigned_note);
  }
  if (!confirmed.ok()) return confirmed.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (health_.reason() == "witness_quorum_unavailable") health_ = Status::Ok();
  return Status::Ok();
}

Result<notary_client::pb::ClockChecked> Batcher::CheckClock(const std::string& cosigned_note) {
  std::lock_guard<std::mutex> notary(notary_mu_);
  return host_->client().CheckClock(cosigned_note);
}

Result<notary_client::pb::RegistryStatementSignature> Batcher::SignRegistryStatement() {
  std::lock_guard<std::mutex> notary(notary_mu_);
  const VerifiedCheckpoint head = store_->latest();
  return host_->client().SignRegistryStatement(head.checkpoint.size, head.checkpoint.root);
}

Status Batcher::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

size_t Batcher::queue_depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void Batcher::SetUnhealthy(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (health_.ok()) health_ = s;
}

void Batcher::Run() {
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      // The batch closes on size or when its first entry has waited max_delay.
      auto deadline = queue_.front().enqueued + options_.max_delay;
      cv_.wait_until(lock, deadline,
                     [&] { return stop_ || queue_.size() >= options_.max_batch; });
      if (stop_) break;
      size_t n = std::min(queue_.size(), options_.max_batch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Commit(batch);
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (Item& item : queue_) {
    item.done.set_value(Status::Unavailable("shutting_down", "ledgerd is stopping"));
  }
  queue_.clear();
}

void Batcher::Commit(std::vector<Item>& batch) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<Result<Acknowledged>> results(batch.size(), Status::Internal("unset", "unset"));
  std::vector<Item*> fresh;
  std::vector<size_t> fresh_pos;
  // request_id -> position in `batch` of the first entry carrying it.
  std::map<std::string, size_t> first_by_request;
  // Stamped event digest -> position of the first entry carrying it.
  std::map<Hash, size_t> first_by_stamp;
  std::vector<std::optional<size_t>> same_as(batch.size());
  // Whether entry i is settled by a lookup: answered (an error, or the
  // original entry as a duplicate) or the same as an earlier one in `batch`.
  auto settled = [&](size_t i, const Result<std::optional<uint64_t>>& found, auto& first,
                     auto key) {
    if (!found.ok()) {
      results[i] = found.status();
      return true;
    }
    if (found->has_value()) {
      results[i] = Acknowledged{**found, true, {}, {}, 0, 0};
      return true;
    }
    auto [it, inserted] = first.emplace(std::move(key), i);
    if (!inserted) same_as[i] = it->second;
    return !inserted;
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string& rid = batch[i].entry.request_id;
    // The request id first: its index is checked against the entry it names
    // (a tampered record is request_index_mismatch, never another receipt).
    if (!rid.empty() && settled(i, store_->FindRequest(rid), first_by_request, rid)) continue;
    // A stamped event is sequenced once (map.md §5a): sent again, with or
    // without a request id, it is a retry answered with the original entry's
    // receipt (stamp.md §1).
    const ByteView event = batch[i].entry.event.event;
    if (!batch[i].entry.event.stamp.empty() &&
        settled(i, store_->FindStamp(event), first_by_stamp, Sha256::Digest(event))) {
      continue;
    }
    fresh.push_back(&batch[i]);
    fresh_pos.push_back(i);
  }
  if (!fresh.empty()) {
    std::vector<Result<Acknowledged>> sent;
    SendSplitting(fresh, sent);
    for (size_t k = 0; k < fresh.size(); ++k) {
      if (!sent[k].ok() && IsStateConflict(sent[k].status())) LogConflict(*fresh[k], sent[k].status());
      results[fresh_pos[k]] = std::move(sent[k]);
    }
  }
  // The batch is durable, no client has its answer yet.
  CrashPoint("ledgerd.before_reply");
  for (size_t i = 0; i < batch.size(); ++i) {
    if (same_as[i]) {
      const auto& first = results[*same_as[i]];
      results[i] = first.ok() ? Result<Acknowledged>(Acknowledged{first->index, true, {}, {}, 0, 0})
                              : Result<Acknowledged>(first.status());
    }
    if (results[i].ok()) {
      (results[i]->duplicate ? stats_.duplicates : stats_.appended)
          .fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.refused.fetch_add(1, std::memory_order_relaxed);
    }
    batch[i].done.set_value(std::move(results[i]));
  }
  const double ms = static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count()) /
                    1000.0;
  stats_.batches.fetch_add(1, std::memory_order_relaxed);
  stats_.batch_entries_sum.fetch_add(batch.size(), std::memory_order_relaxed);
  stats_.batch_latency_us_sum.fetch_add(static_cast<uint64_t>(ms * 1000.0),
                                        std::memory_order_relaxed);
  Observe(stats_.size_buckets, {1, 10, 100, 1000}, static_cast<double>(batch.size()));
  Observe(stats_.latency_buckets, {1, 5, 10, 50, 100, 500}, ms);
}

void Batcher::SendSplitting(std::vector<Item*>& items, std::vector<Result<Acknowledged>>& out) {
  std::vector<Result<Acknowledged>> sent;
  Status st = health();
  if (st.ok()) st = SendBatch(items, sent);
  // A compare-and-swap refusal concerns one request: re-plan the batch
  // without the conflicting ones and send the rest again (map.md §6).
  if (IsStateConflict(st)) st = SendWithoutConflicts(items, sent);
  if (st.ok()) {
    out = std::move(sent);
    return;
  }
  if (!IsInputRefusal(st) || items.size() == 1) {
    out.assign(items.size(), st);
    return;
  }
  const auto middle = items.begin() + static_cast<std::ptrdiff_t>(items.size() / 2);
  std::vector<Item*> left(items.begin(), middle), right(middle, items.end());
  std::vector<Result<Acknowledged>> left_out, right_out;
  SendSplitting(left, left_out);
  SendSplitting(right, right_out);
  out = std::move(left_out);
  for (auto& r : right_out) out.push_back(std::move(r));
}

Status Batcher::SendWithoutConflicts(std::vector<Item*>& items,
                                     std::vector<Result<Acknowledged>>& out) {
  out.assign(items.size(), Status::Internal("unset", "unset"));
  // The stored map is the one whose root the notary holds (the store checks
  // every batch's map line), so walking the batch on it in log order finds
  // the requests the notary refuses; the notary still checks the rest.
  store::MapUpdater planner = store_->NewMapUpdater();
  uint64_t index = store_->size();
  std::vector<Item*> keep;
  std::vector<size_t> keep_pos;
  for (size_t k = 0; k < items.size(); ++k) {
    auto event = DecodeEvent(items[k]->entry.event.event);
    if (!event.ok()) {
      out[k] = event.status();
      continue;
    }
    Status check = planner.Check(*event);
    if (!check.ok()) {
      out[k] = check;
      continue;
    }
    ASSIGN_OR_RETURN(auto step, planner.Apply(*event, index));
    (void)step;
    ++index;
    keep.push_back(items[k]);
    keep_pos.push_back(k);
  }
  if (keep.empty()) return Status::Ok();
  std::vector<Result<Acknowledged>> sent;
  Status st = health();
  if (st.ok()) st = SendBatch(keep, sent);
  if (!st.ok()) return st;  // the caller retries every request alone
  for (size_t j = 0; j < keep.size(); ++j) out[keep_pos[j]] = std::move(sent[j]);
  return Status::Ok();
}

void Batcher::LogConflict(const Item& item, const Status& refusal) {
  stats_.state_conflicts.fetch_add(1, std::memory_order_relaxed);
  nlohmann::json fields = {{"reason", refusal.reason()},
                           {"message", refusal.message()},
                           {"request_id", item.entry.request_id},
                           {"event_digest", Sha256::Digest(item.entry.event.event).Hex()}};
  if (auto event = DecodeEvent(item.entry.event.event); event.ok()) {
    fields["subject"] = event->subject;
    fields["offered_prior_state_hash"] =
        event->prior_state_hash ? nlohmann::json(event->prior_state_hash->Hex()) : nullptr;
    fields["new_state_hash"] =
        event->new_state_hash ? nlohmann::json(event->new_state_hash->Hex()) : nullptr;
    store::MapUpdater now = store_->NewMapUpdater();
    if (auto current = now.Lookup(event->subject); current.ok()) {
      fields["tree_size"] = store_->size();
      if (*current) {
        fields["current_version"] = (*current)->version;
        fields["current_index"] = (*current)->index;
        fields["current_state_hash"] = (*current)->state == state_map::EmptyHash()
                                           ? nlohmann::json(nullptr)
                                           : nlohmann::json((*current)->state.Hex());
      } else {
        fields["current_version"] = 0;
        fields["current_state_hash"] = nullptr;
      }
    }
  }
  json_log::LogEvent("warn", "state_conflict: compare-and-swap refused", fields);
}

Status Batcher::SendBatch(std::vector<Item*>& items, std::vector<Result<Acknowledged>>& out) {
  std::vector<SubmittedEvent> events;
  std::vector<store::Payload> payloads;
  for (Item* item : items) {
    events.push_back(item->entry.event);
    if (item->entry.payload) payloads.push_back(*item->entry.payload);
  }
  stats_.notary_calls.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock<std::mutex> notary(notary_mu_);
  // Crash safety (docs/crash-safety.md): nothing of this batch is durable yet.
  CrashPoint("ledgerd.before_notary_append");
  auto seq = host_->Append(events, payloads);
  stats_.journal_us_sum.fetch_add(host_->last_append_timings().journal_us,
                                  std::memory_order_relaxed);
  stats_.notary_us_sum.fetch_add(host_->last_append_timings().notary_us,
                                 std::memory_order_relaxed);
  stats_.persist_us_sum.fetch_add(host_->last_append_timings().persist_us,
                                  std::memory_order_relaxed);
  if (seq.ok() && options_.on_persisted) options_.on_persisted();
  if (!seq.ok()) {
    stats_.notary_errors.fetch_add(1, std::memory_order_relaxed);
    // Another ledgerd took the store: this one never appends again.
    if (seq.status().reason() == "fenced") {
      SetUnhealthy(seq.status());
      return seq.status();
    }
    // The notary changes state only when it signs; if it signed and the
    // write failed, or the connection broke, the store is no longer known
    // to match its head: stop appending.
    auto status = host_->client().GetStatus();
    if (!status.ok()) {
      SetUnhealthy(status.status());
    } else if (status->size() != store_->size()) {
      SetUnhealthy(Status::FailedPrecondition(
          "store_behind_notary", "the notary's head (size " + std::to_string(status->size()) +
                                     ") is not the store's (size " +
                                     std::to_string(store_->size()) + ")"));
    }
    return seq.status();
  }
  out.clear();
  for (size_t k = 0; k < items.size(); ++k) {
    out.push_back(Acknowledged{seq->batch.first_index + k, false, seq->app_proof,
                               seq->batch.checkpoint_note, seq->batch.first_index,
                               seq->batch.leaves.size()});
  }
  return Status::Ok();
}

}  // namespace ledger::ledgerd
