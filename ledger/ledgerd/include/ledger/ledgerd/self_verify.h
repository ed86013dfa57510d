// Scheduled self-verification (ledgerd --verify-every SECONDS): the
// "verify automatically" duty of a system of record (SEC 17a-4(f)(2)(ii)),
// issue 7 §5.
//
// Every period ledgerd re-verifies its whole store against the signed
// checkpoints (LogStore::Audit: every leaf, tile, checkpoint signature,
// payload, index and state-map node), replays the retention rules over the
// whole log (store::AuditRetention, retention.md) and, with --verify-backup DIR, a backup
// copy of the store (a RocksDB checkpoint or a copy of store/ taken by
// ledgerd's operator): the backup must open and audit against the pinned
// log key, be no larger than the live store, and its signed root must be the
// live store's root at the backup's size (so neither copy was rolled back or
// forked). Each run is recorded in the log as a VERIFICATION_RUN entry
// (VerificationEvent), stamped with the host key (host_appender.h).
//
// Thread-safety: RunVerification only reads (the store's reads are
// thread-safe); SelfVerifier's accessors may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

inline constexpr char kVerificationSubject[] = "verification/ledgerd";

struct VerificationRun {
  uint64_t started_at_us = 0;  // system clock
  uint64_t duration_us = 0;
  uint64_t tree_size = 0;      // the live store's size when the run began
  Hash root;                   // and its signed root
  bool backup_checked = false;
  std::optional<uint64_t> backup_size;
  std::optional<Hash> backup_root;
  // One line per failed check ("store: <reason> ...", "retention: ...",
  // "backup: ...").
  std::vector<std::string> failures;
  Status first_failure;        // OK when failures is empty
  bool ok() const { return failures.empty(); }
};

// One run. `backup_dir` empty: the store only.
VerificationRun RunVerification(const store::LogStore& store,
                                std::shared_ptr<const note::Verifier> log_key,
                                const std::string& backup_dir);

// The VERIFICATION_RUN event of a run (event.md; ledger/ledgerd/README.md "Scheduled
// self-verification" lists the attributes): outcome SUCCESS or ERROR with
// the first failure's reason, actor service "ledgerd" authenticated by its
// host key, subject kVerificationSubject.
Event VerificationEvent(const VerificationRun& run, const std::string& host_key_name);

// Calls RunVerification every `every` on its own thread and hands each run
// to `on_run` (which records it); the first run starts one period after
// construction.
class SelfVerifier {
 public:
  SelfVerifier(const store::LogStore* store, std::shared_ptr<const note::Verifier> log_key,
               std::string backup_dir, std::chrono::seconds every,
               std::function<void(const VerificationRun&)> on_run);
  ~SelfVerifier();  // stops the thread (a run in progress completes first)
  uint64_t runs() const { return runs_.load(); }
  uint64_t failed_runs() const { return failed_runs_.load(); }

 private:
  void Loop();
  const store::LogStore* store_;
  std::shared_ptr<const note::Verifier> log_key_;
  std::string backup_dir_;
  std::chrono::seconds every_;
  std::function<void(const VerificationRun&)> on_run_;
  std::atomic<uint64_t> runs_{0}, failed_runs_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ledger::ledgerd
