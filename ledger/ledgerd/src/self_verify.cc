// Scheduled self-verification (self_verify.h).
#include "ledger/ledgerd/self_verify.h"

#include "ledger/base/clock.h"
#include "ledger/store/notary_records.h"
#include "ledger/store/retention.h"

namespace ledger::ledgerd {
namespace {

uint64_t Since(std::chrono::steady_clock::time_point t0) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - t0)
                                   .count());
}

void Fail(VerificationRun& run, const std::string& what, const Status& s) {
  if (run.failures.empty()) run.first_failure = s;
  run.failures.push_back(what + ": " + s.reason() + " " + s.message());
}

// The backup must verify on its own and be a prefix of the live log.
void CheckBackup(VerificationRun& run, const store::LogStore& live,
                 std::shared_ptr<const note::Verifier> log_key, const std::string& dir) {
  store::RocksDbOptions o;
  o.mode = store::RocksDbOptions::Mode::kReadOnly;
  auto kv = store::OpenRocksDb(dir, o);
  if (!kv.ok()) return Fail(run, "backup", kv.status());
  auto backup = store::LogStore::Open(std::move(kv).value(), std::move(log_key));
  if (!backup.ok()) return Fail(run, "backup", backup.status());
  const uint64_t size = (*backup)->size();
  run.backup_size = size;
  run.backup_root = (*backup)->latest().checkpoint.root;
  if (Status a = (*backup)->Audit(); !a.ok()) return Fail(run, "backup", a);
  if (size > run.tree_size) {
    return Fail(run, "backup",
                Status::VerificationFailed("backup_ahead",
                                           "the backup holds " + std::to_string(size) +
                                               " entries, the live store " +
                                               std::to_string(run.tree_size) +
                                               ": the live store lost entries"));
  }
  auto root = live.RootAt(size);
  if (!root.ok()) return Fail(run, "store", root.status());
  if (*root != *run.backup_root) {
    return Fail(run, "backup",
                Status::VerificationFailed("backup_mismatch",
                                           "the backup's signed root of size " +
                                               std::to_string(size) +
                                               " is not the live store's: a fork"));
  }
}

}  // namespace

VerificationRun RunVerification(const store::LogStore& store,
                                std::shared_ptr<const note::Verifier> log_key,
                                const std::string& backup_dir) {
  VerificationRun run;
  run.started_at_us = SystemClockMicros();
  const auto t0 = std::chrono::steady_clock::now();
  const VerifiedCheckpoint head = store.latest();
  run.tree_size = head.checkpoint.size;
  run.root = head.checkpoint.root;
  if (Status a = store.Audit(); !a.ok()) Fail(run, "store", a);
  // The retention rules replayed over the whole log (retention.md §3): a
  // disposal the history forbids is a finding about the log's content, not
  // a damaged store, so it is recorded like a failed backup comparison.
  if (Status r = store::AuditRetention(store); !r.ok()) Fail(run, "retention", r);
  // Boot and policy entries count only with the log key's stamp.
  if (Status n = store::AuditNotaryRecords(store); !n.ok()) Fail(run, "notary_records", n);
  run.backup_checked = !backup_dir.empty();
  if (run.backup_checked) CheckBackup(run, store, std::move(log_key), backup_dir);
  run.duration_us = Since(t0);
  return run;
}

Event VerificationEvent(const VerificationRun& run, const std::string& host_key_name) {
  Event e;
  e.kind = EventKind::kVerificationRun;
  e.event_id = "verification-" + std::to_string(run.started_at_us);
  e.action = "verify";
  e.occurred_at_us = run.started_at_us;
  e.actor = {"service", "ledgerd", "host-key:" + host_key_name, ""};
  e.source = "ledgerd";
  e.subject = kVerificationSubject;
  e.target_type = "store";
  e.outcome = run.ok() ? Outcome::kSuccess : Outcome::kError;
  if (!run.ok()) e.outcome_reason = run.first_failure.reason();
  e.attributes = {{"checked", run.backup_checked ? "store,backup" : "store"},
                  {"duration_us", std::to_string(run.duration_us)},
                  {"failures", std::to_string(run.failures.size())},
                  {"range", "0.." + std::to_string(run.tree_size)},
                  {"result", run.ok() ? "ok" : "failed"},
                  {"root", run.root.Base64()},
                  {"tree_size", std::to_string(run.tree_size)}};
  if (run.backup_size) {
    e.attributes.push_back({"backup_size", std::to_string(*run.backup_size)});
    e.attributes.push_back({"backup_root", run.backup_root->Base64()});
  }
  if (!run.ok()) {
    // The first failure in full, bounded by the event's string limit.
    std::string first = run.failures.front().substr(0, 1000);
    e.attributes.push_back({"first_failure", first});
  }
  return e;
}

SelfVerifier::SelfVerifier(const store::LogStore* store,
                           std::shared_ptr<const note::Verifier> log_key, std::string backup_dir,
                           std::chrono::seconds every,
                           std::function<void(const VerificationRun&)> on_run)
    : store_(store),
      log_key_(std::move(log_key)),
      backup_dir_(std::move(backup_dir)),
      every_(every),
      on_run_(std::move(on_run)) {
  thread_ = std::thread([this] { Loop(); });
}

SelfVerifier::~SelfVerifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SelfVerifier::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, every_, [this] { return stop_; })) {
    lock.unlock();
    VerificationRun run = RunVerification(*store_, log_key_, backup_dir_);
    runs_.fetch_add(1);
    if (!run.ok()) failed_runs_.fetch_add(1);
    on_run_(run);
    lock.lock();
  }
}

}  // namespace ledger::ledgerd
