#include "ledger/ledgerd/witnessing.h"

#include <future>
#include <nlohmann/json.hpp>

#include "ledger/json_log/json_log.h"
#include "ledger/ledgerd/server.h"
#include "ledger/note/witness_time.h"
#include "ledger/testing/crash_point.h"

namespace ledger::ledgerd {
namespace {

using json_log::LogEvent;

nlohmann::json Fields(const std::string& witness, const Status& s) {
  nlohmann::json j = json_log::StatusFields(s);
  if (!witness.empty()) j["witness"] = witness;
  return j;
}

}  // namespace

using witness_client::Answer;
using witness_client::Outcome;

Witnessing::Witnessing(store::LogStore* store, std::vector<witness_client::WitnessConfig> witnesses,
                       WitnessingOptions options,
                       std::function<Status(const std::string&)> confirm)
    : store_(store), options_(options), confirm_(std::move(confirm)) {
  for (auto& w : witnesses) {
    WitnessStats st;
    st.name = w.name;
    stats_.push_back(std::move(st));
    clients_.push_back(std::make_unique<witness_client::WitnessClient>(std::move(w), options.client));
  }
  confirmed_ = !confirm_;
  // Re-witnessing an idle head slower than this leaves the notary without a
  // fresh witness time: it would refuse to sequence (clock_skew).
  LEDGER_CHECK(options_.refresh.count() > 0 &&
               options_.refresh < std::chrono::milliseconds(kMaxClockSkewSeconds * 1000 / 3));
  thread_ = std::thread([this] { Run(); });
}

Witnessing::~Witnessing() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  covered_.notify_all();
  thread_.join();
}

void Witnessing::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

Result<uint64_t> Witnessing::WaitCovered(uint64_t index, std::chrono::milliseconds timeout) {
  waiting_.fetch_add(1);
  std::unique_lock<std::mutex> lock(mu_);
  covered_.wait_for(lock, timeout,
                    [&] { return stop_ || !health_.ok() || cosigned_size_ > index; });
  waiting_.fetch_sub(1);
  if (!health_.ok()) return health_;
  if (cosigned_size_ > index) return cosigned_size_;
  return Status::Unavailable("witness_quorum_unavailable",
                             "entry " + std::to_string(index) +
                                 " is durable but the witness quorum has not cosigned it yet; "
                                 "retry with the same request id");
}

uint64_t Witnessing::cosigned_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cosigned_size_;
}

Status Witnessing::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

bool Witnessing::confirmed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return confirmed_;
}

std::vector<WitnessStats> Witnessing::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Witnessing::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    VerifiedCheckpoint target = store_->latest();
    bool fresh = false;
    if (!health_.ok() || target.checkpoint.size <= cosigned_size_) {
      if (cv_.wait_for(lock, options_.refresh, [&] { return stop_ || notified_; })) {
        notified_ = false;
        continue;
      }
      // Idle for `refresh`: have the cosigned head cosigned again.
      if (!health_.ok() || !confirmed_ || target.checkpoint.size != cosigned_size_ ||
          cosigned_size_ == 0) {
        continue;
      }
      fresh = true;
    }
    notified_ = false;
    lock.unlock();
    Round(target, fresh);
    lock.lock();
    if (health_.ok() && cosigned_size_ < target.checkpoint.size) {
      cv_.wait_for(lock, options_.retry_delay, [&] { return stop_; });
    }
  }
}

void Witnessing::Round(const VerifiedCheckpoint& target, bool fresh) {
  const uint64_t size = target.checkpoint.size;
  // The note as the log signed it: a stored note may already carry an
  // earlier round's cosignatures.
  auto parsed = note::Parse(target.note);
  if (!parsed.ok()) return;
  std::erase_if(parsed->signatures,
                [&](const note::Signature& s) { return s.name != target.checkpoint.origin; });
  const std::string log_note = note::Format(*parsed);
  std::vector<size_t> ask;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (round_size_ != size || fresh) {
      round_size_ = size;
      round_lines_.assign(clients_.size(), std::nullopt);
    }
    for (size_t i = 0; i < clients_.size(); ++i) {
      if (!round_lines_[i]) ask.push_back(i);
    }
  }
  auto proofs = [this](uint64_t old_size, uint64_t new_size) {
    return store_->ConsistencyProof(old_size, new_size);
  };
  // In parallel: one slow or dead witness must not hold up the quorum.
  std::vector<std::future<std::pair<Answer, uint64_t>>> answers;
  for (size_t i : ask) {
    answers.push_back(std::async(std::launch::async, [&, i] {
      auto start = std::chrono::steady_clock::now();
      Answer a = clients_[i]->AddCheckpoint(log_note, target.checkpoint, proofs,
                                            store_->log_verifier());
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      return std::make_pair(std::move(a), static_cast<uint64_t>(us));
    }));
  }
  std::optional<Status> conflict, refused;
  size_t refusals = 0;
  std::vector<note::Signature> lines;
  {
    std::vector<std::pair<Answer, uint64_t>> got;
    for (auto& f : answers) got.push_back(f.get());
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t k = 0; k < ask.size(); ++k) {
      const size_t i = ask[k];
      const Answer& a = got[k].first;
      WitnessStats& st = stats_[i];
      st.last_latency_us = got[k].second;
      const bool was_up = st.up || st.failures == 0;
      st.up = a.outcome == Outcome::kCosigned;
      // Changes of a witness's state are logged, not every retry.
      if (was_up && !st.up) LogEvent("warn", "witness not cosigning", Fields(st.name, a.status));
      if (!was_up && st.up) {
        LogEvent("info", "witness cosigning again", nlohmann::json{{"witness", st.name}});
      }
      if (a.outcome == Outcome::kCosigned) {
        st.cosigned_size = size;
        round_lines_[i] = a.cosignature;
        if (st.faulty) {
          st.faulty = false;
          st.fault.clear();
        }
        continue;
      }
      ++st.failures;
      if (a.outcome == Outcome::kFaulty) {
        // A refusal without evidence: the witness is left out of this round's
        // quorum, as if down, and shown as faulty; the log is not stopped.
        if (!st.faulty) LogEvent("warn", "witness faulty", Fields(st.name, a.status));
        st.faulty = true;
        st.fault = a.status.message();
        ++st.faults;
      } else if (a.outcome == Outcome::kConflict) {
        // Evidence (a log-signed checkpoint the store does not extend) is
        // enough on its own: whatever the others answer, the store is behind.
        if (!conflict) conflict = a.status;
        LogEvent(
            "error", "witness holds evidence of a rollback or fork",
            nlohmann::json{
                {"witness", st.name}, {"message", a.status.message()}, {"evidence", a.evidence}});
      } else if (a.outcome == Outcome::kRefused) {
        ++refusals;
        if (!refused) refused = a.status;
      }
    }
    for (const auto& l : round_lines_) {
      if (l) lines.push_back(*l);
    }
    if (conflict) {
      health_ = *conflict;
      LogEvent("error", "rollback detected; appends are off", Fields("", health_));
      covered_.notify_all();
      return;
    }
    if (lines.size() < options_.quorum) {
      // Witnesses that refuse (rather than being down) will not change
      // their minds: once the quorum is out of reach, stop and say why.
      if (refusals > clients_.size() - options_.quorum) {
        health_ = *refused;
        LogEvent("error", "the witness quorum refuses this log's head; appends are off",
                 Fields("", health_));
        covered_.notify_all();
      }
      return;
    }
  }
  Status st = Status::Ok();
  auto cosigned = witness_client::AddSignatures(log_note, lines);
  if (!cosigned.ok()) st = cosigned.status();
  if (st.ok()) st = store_->AddCosignatures(*cosigned);
  bool need_confirm = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    need_confirm = !confirmed_;
  }
  if (st.ok() && need_confirm) st = confirm_(*cosigned);
  if (st.ok() && !need_confirm && options_.on_cosigned) options_.on_cosigned(*cosigned);
  // The quorum cosigned and the cosigned checkpoint is stored; no receipt it
  // covers is released yet (docs/crash-safety.md).
  if (st.ok()) CrashPoint("ledgerd.after_witness_cosign");
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    health_ = st;
    LogEvent("error", "cosigned checkpoint not stored or not confirmed; appends are off",
             Fields("", st));
  } else {
    confirmed_ = true;
    cosigned_size_ = std::max(cosigned_size_, size);
  }
  covered_.notify_all();
}

}  // namespace ledger::ledgerd
