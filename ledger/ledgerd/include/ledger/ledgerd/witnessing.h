// Witnessing: the thread that gets the log's latest persisted checkpoint
// cosigned by the witness quorum before receipts are released
// (docs/architecture.md §1.1, §4.2).
//
// Order of an append with witness_quorum > 0: the notary signs, the batch is
// persisted in one synced WriteBatch (so the store is never behind what a
// witness saw: a crash after a cosignature must still restart from at least
// that head), witnesses cosign, the cosigned checkpoint (note + cosignature
// lines) replaces the stored one, and only then are receipts released. This
// thread always witnesses the latest persisted checkpoint, so batches keep
// flowing while it works; one cosigned size N releases every entry < N.
//
// After a notary restart the notary waits for ConfirmHead (notary.proto): the
// first checkpoint this thread gets cosigned is handed to `confirm`; every
// later one goes to `on_cosigned` (the notary's CheckClock: the witnesses'
// time bounds its clock). An idle head is cosigned again every `refresh`, so
// that the notary always holds a witness time fresher than
// kMaxClockSkewSeconds (ledger/note/witness_time.h) and keeps sequencing. A witness
// that has cosigned a later or different head answers 409/422, and the client
// fetches its latest checkpoint as evidence (witness_client.h). Evidence, a
// checkpoint signed by the log key that the store does not extend, stops
// Witnessing at once with FailedPrecondition("rollback_detected") as its
// health: nothing more is released and ledgerd reports it. A 409/422 without
// evidence only marks that witness faulty (WitnessStats, a log line, /metrics,
// /healthz) and the quorum is counted over the others, so one faulty or
// lying witness cannot stop the log. Once so many witnesses refuse for
// protocol reasons (403, 404, a bad cosignature) that the quorum cannot be
// met, Witnessing stops with VerificationFailed("witness_refused").
//
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/store/log_store.h"
#include "ledger/witness_client/witness_client.h"

namespace ledger::ledgerd {

struct WitnessingOptions {
  size_t quorum = 1;                                   // from the manifest
  witness_client::ClientOptions client;                // timeouts per request
  std::chrono::milliseconds retry_delay{200};          // Default: 200 ms between rounds
  // An idle head is re-witnessed after this long. Must stay well below
  // kMaxClockSkewSeconds: Witnessing aborts (CHECK) on a third of it or more.
  std::chrono::milliseconds refresh{60'000};           // Default: 60 s
  // Called with each cosigned checkpoint stored after the confirmation.
  std::function<void(const std::string& cosigned_note)> on_cosigned;
};

// Per-witness figures for /metrics.
struct WitnessStats {
  std::string name;
  bool up = false;
  uint64_t last_latency_us = 0;
  uint64_t cosigned_size = 0;
  uint64_t failures = 0;
  // A 409/422 without evidence (witness_client::Outcome::kFaulty) since its
  // last cosignature, and why; how many such answers in all.
  bool faulty = false;
  std::string fault;
  uint64_t faults = 0;
};

class Witnessing {
 public:
  // `confirm` (may be empty) is called once with the first cosigned note;
  // its failure stops witnessing with that Status. REQUIRES: store outlives.
  Witnessing(store::LogStore* store, std::vector<witness_client::WitnessConfig> witnesses,
             WitnessingOptions options,
             std::function<Status(const std::string& cosigned_note)> confirm);
  ~Witnessing();

  // A new checkpoint was persisted.
  void Notify();
  // Waits until the cosigned size covers `index` (> index); returns that
  // size. Unavailable("witness_quorum_unavailable") after `timeout`; the
  // stopping Status if witnessing stopped.
  Result<uint64_t> WaitCovered(uint64_t index, std::chrono::milliseconds timeout);
  uint64_t cosigned_size() const;
  // OK, or why witnessing stopped (rollback_detected, witness_refused, ...).
  Status health() const;
  // Whether the confirm callback succeeded (or none was needed).
  bool confirmed() const;
  size_t pending() const { return waiting_.load(); }
  size_t quorum() const { return options_.quorum; }
  std::vector<WitnessStats> stats() const;

 private:
  void Run();
  // One round over the witnesses not yet cosigning this checkpoint (all of
  // them when `fresh`: an idle head cosigned again).
  void Round(const VerifiedCheckpoint& target, bool fresh);

  store::LogStore* store_;
  WitnessingOptions options_;
  std::function<Status(const std::string&)> confirm_;
  std::vector<std::unique_ptr<witness_client::WitnessClient>> clients_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // wakes the thread: Notify, stop
  std::condition_variable covered_;  // wakes WaitCovered
  bool stop_ = false;
  bool notified_ = true;
  bool confirmed_ = false;
  Status health_;
  uint64_t cosigned_size_ = 0;
  // The round in progress: its size and the verified lines so far, by witness.
  uint64_t round_size_ = 0;
  std::vector<std::optional<note::Signature>> round_lines_;
  std::vector<WitnessStats> stats_;
  std::atomic<size_t> waiting_{0};
  std::thread thread_;
};

}  // namespace ledger::ledgerd
