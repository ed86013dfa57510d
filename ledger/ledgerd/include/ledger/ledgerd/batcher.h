// Batcher: the one thread that owns the notary connection and the store's
// writes. HTTP threads Submit() entries; the batcher closes a batch when it
// holds max_batch entries or max_delay has passed since its first entry,
// sends it to the notary (one Append), verifies the app proof, persists it
// in one synced WriteBatch (NotaryHost::Append) and only then resolves every
// entry's future.
//
// Idempotency: an entry whose stamped event is already in the log (its stamp
// key in the state map, map.md §5a) or whose request_id is already in the
// store, or which repeats either earlier in the same batch, is answered with
// the original index (duplicate = true) and never sent again. The notary refuses whole batches; when a batch of
// several entries is refused for input reasons, every entry is retried
// alone so that only the offending ones get the error. A compare-and-swap
// refusal (state_conflict, schemas/formats/map.md §5) is cheaper to isolate:
// the batch is re-planned on the stored map in log order, the STATE_NOTARIZED
// requests whose prior state hash is not the current one at their place are
// refused alone (FailedPrecondition "state_conflict"), and the others are
// sent again in one batch, which the notary checks as any other. Every
// refusal is counted (BatcherStats::state_conflicts) and logged as one
// structured line naming the subject, request id, event digest, the offered
// prior hash and the current state (map.md §6).
//
// Thread-safety: Submit, ConfirmHead and the accessors may be called from any
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/notary_host/notary_host.h"
#include "ledger/sequencer/types.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

// A compare-and-swap refusal of a STATE_NOTARIZED entry (map.md §5).
inline bool IsStateConflict(const Status& s) {
  return s.code() == Code::kFailedPrecondition && s.reason() == "state_conflict";
}

struct Entry {
  SubmittedEvent event;
  std::optional<store::Payload> payload;
  std::string request_id;  // empty: not idempotent
};

struct Acknowledged {
  uint64_t index = 0;
  bool duplicate = false;
  // The batch's app proof, with what it signs (the batch's checkpoint note
  // and range); empty for duplicates.
  notary_client::AppProof app_proof;
  std::string batch_checkpoint;
  uint64_t batch_first_index = 0;
  uint64_t batch_count = 0;
};

struct BatcherOptions {
  size_t max_batch = 1000;                             // Default: 1000
  std::chrono::microseconds max_delay{5000};           // Default: 5 ms
  size_t queue_limit = 10000;                          // Default: 10000 entries
  // The notary waits for ConfirmHead (witnesses required, restored head):
  // appends are refused (witness_quorum_unavailable) until ConfirmHead.
  bool awaiting_confirmation = false;                  // Default: false
  // Called after each batch is persisted (Witnessing::Notify).
  std::function<void()> on_persisted;
};

struct BatcherStats {
  std::atomic<uint64_t> appended{0}, duplicates{0}, refused{0}, batches{0}, notary_calls{0},
      notary_errors{0}, rejected_full{0}, state_conflicts{0};
  std::atomic<uint64_t> batch_entries_sum{0}, batch_latency_us_sum{0};
  // Of the commit time: the journal writes, the notary round trips, and the
  // app-proof check and synced WriteBatch (NotaryHost::Timings), summed over
  // batches.
  std::atomic<uint64_t> journal_us_sum{0}, notary_us_sum{0}, persist_us_sum{0};
  // Histogram of batch sizes (upper bounds 1, 10, 100, 1000, +Inf) and of
  // commit latencies in ms (1, 5, 10, 50, 100, 500, +Inf).
  std::atomic<uint64_t> size_buckets[5]{}, latency_buckets[7]{};
};

class Batcher {
 public:
  Batcher(store::LogStore* store, std::unique_ptr<notary_host::NotaryHost> host, BatcherOptions options);
  ~Batcher();  // stops the thread; pending entries get Unavailable

  // Enqueues all entries or none: Unavailable("queue_full") when they do not
  // fit. The futures resolve after the entry is durable (or refused).
  Result<std::vector<std::future<Result<Acknowledged>>>> Submit(std::vector<Entry> entries);

  // Hands the witness quorum's cosigned restored checkpoint to the notary
  // (notary.proto ConfirmHead); appends start once it accepts.
  Status ConfirmHead(const std::string& cosigned_note);
  // Hands a later cosigned checkpoint to the notary (notary.proto
  // CheckClock): its witness time bounds the notary's clock.
  Result<notary_client::pb::ClockChecked> CheckClock(const std::string& cosigned_note);

  // The notary's registry-statement signature (notary.proto
  // SignRegistryStatement) for the head the store holds. Taken under the
  // notary lock, so no batch is between the notary and the store: the
  // store's latest checkpoint is the notary's head.
  Result<notary_client::pb::RegistryStatementSignature> SignRegistryStatement();

  // Empty while healthy; otherwise the Status that stopped appends.
  Status health() const;
  const BatcherStats& stats() const { return stats_; }
  size_t queue_depth() const;

 private:
  struct Item {
    Entry entry;
    std::promise<Result<Acknowledged>> done;
    std::chrono::steady_clock::time_point enqueued;
  };
  void Run();
  void Commit(std::vector<Item>& batch);
  // Sends `items` (non-duplicates) as one batch; the per-item result.
  Status SendBatch(std::vector<Item*>& items, std::vector<Result<Acknowledged>>& out);
  // After the notary refused `items` for a state conflict: re-plans them on
  // the stored map, refuses the conflicting ones alone and sends the rest.
  Status SendWithoutConflicts(std::vector<Item*>& items, std::vector<Result<Acknowledged>>& out);
  // Sends `items`, and when the notary refuses them for their input (a bad
  // stamp, the policy, a retention rule), each half again on its own, down to
  // the entries refused alone: k bad entries among n cost about 2k·log2(n)
  // round trips rather than n, so one bad event cannot make a large request,
  // or the batch it shares, crawl through the notary one entry at a time.
  void SendSplitting(std::vector<Item*>& items, std::vector<Result<Acknowledged>>& out);
  void LogConflict(const Item& item, const Status& refusal);
  void SetUnhealthy(const Status& s);

  store::LogStore* store_;
  std::unique_ptr<notary_host::NotaryHost> host_;
  std::mutex notary_mu_;  // one call on the notary connection at a time
  BatcherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
  Status health_;
  BatcherStats stats_;
  std::thread thread_;
};

}  // namespace ledger::ledgerd
