// anchord's cycle (see anchord/anchord.h for the steps and their order).
#include "anchord/anchord.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "attempt.h"
#include "evm/registry_client.h"
#include "ledger/base/clock.h"
#include "ledger/json_log/json_log.h"
#include "ledger/merkle/merkle.h"
#include "ledger/metrics/prometheus.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/stamp.h"
#include "ledger/record/state_map.h"
#include "ledger/testing/crash_point.h"
#include "ledger/timestamp/tsa_client.h"
#include "ledger/trust/registry_statement.h"

namespace anchor::anchord {

using ledger::Hash;
using ledger::Result;
using ledger::Status;
namespace registry = evm::registry;

namespace {

uint64_t UnixSeconds() { return ledger::SystemClockMicros() / 1'000'000; }

uint64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - t)
                                   .count());
}

// The daemons' JSON-line log (ledger/json_log).
void Log(std::string_view level, std::string_view msg,
         nlohmann::json fields = nlohmann::json::object()) {
  ledger::json_log::LogEvent(level, msg, std::move(fields));
}
using ledger::json_log::StatusFields;

}  // namespace

Anchord::Anchord(AnchordOptions options) : options_(std::move(options)) {
  // Anchoring is judged stale from the start until the first anchor.
  stats_.last_anchor_unix_s.store(UnixSeconds(), std::memory_order_relaxed);
}
Anchord::~Anchord() = default;

Result<std::unique_ptr<Anchord>> Anchord::Create(AnchordOptions options) {
  if (options.chain_id == 0) return Status::InvalidArgument("bad_chain_id", "chain id must be > 0");
  if (options.confirmations == 0) {
    return Status::InvalidArgument("bad_confirmations", "confirmations must be at least 1");
  }
  if (!options.submitter) return Status::InvalidArgument("missing_key", "no submitter key");
  if (options.state_file.empty()) return Status::InvalidArgument("missing_state", "no state file");
  ASSIGN_OR_RETURN(auto verifier, ledger::note::ParseVerifierKey(options.log_vkey));
  std::unique_ptr<Anchord> a(new Anchord(std::move(options)));
  a->verifier_ = std::move(verifier);
  // The log's id in the registry: SHA-256 of its origin, which is the log
  // key's name (tlog-checkpoint).
  a->log_id_ = registry::LogIdForOrigin(a->verifier_->name());
  ASSIGN_OR_RETURN(a->ledgerd_,
                   LedgerdClient::Create(a->options_.ledgerd_url, a->options_.ledgerd_token,
                                         a->options_.ledgerd_tls));
  // A state file that does not parse is refused at start, not overwritten.
  RETURN_IF_ERROR(ReadAttempt(a->options_.state_file).status());
  return a;
}

Status Anchord::Connect() {
  if (!rpc_) {
    ASSIGN_OR_RETURN(rpc_, evm::rpc::Client::Create(options_.rpc_url, options_.rpc));
  }
  if (!payer_) {
    ASSIGN_OR_RETURN(payer_, evm::Payer::Create(*rpc_, options_.chain_id, options_.payer_key,
                                                options_.payer));
  }
  // Every cycle: the endpoint may have been repointed or restarted (a fresh
  // anvil has no contract); a lying one is refused before anything is sent.
  RETURN_IF_ERROR(rpc_->ExpectChainId(options_.chain_id));
  return registry::CheckCode(*rpc_, options_.contract);
}

Status Anchord::Alarm(Status refusal) {
  stats_.forks_refused.fetch_add(1, std::memory_order_relaxed);
  Log("error", "fork_refused", StatusFields(refusal));
  return refusal;
}

Result<StepOutcome> Anchord::Step() {
  RETURN_IF_ERROR(Connect());
  ASSIGN_OR_RETURN(registry::AnchoredHead latest,
                   registry::Latest(*rpc_, options_.contract, log_id_));
  if (latest.notary.IsZero()) {
    return Status::FailedPrecondition("registry_unknown_log",
                                      "the log is not registered in " + options_.contract.Hex());
  }
  stats_.anchored_size.store(latest.tree_size, std::memory_order_relaxed);
  ASSIGN_OR_RETURN(bool recovered, RecoverAnchored(latest));
  if (recovered) return StepOutcome::kRecovered;
  ASSIGN_OR_RETURN(uint64_t size, ledgerd_->Size());
  stats_.log_size.store(size, std::memory_order_relaxed);
  {
    const uint64_t baseline = std::max(baseline_size_, latest.tree_size);
    stats_.unanchored_entries.store(size > baseline ? size - baseline : 0,
                                    std::memory_order_relaxed);
  }
  if (size < latest.tree_size) {
    // The registry holds a head the log does not have: the log was rolled
    // back, or the registry shows another history.
    return Alarm(Status::VerificationFailed(
        "log_behind_anchor", "the log's size " + std::to_string(size) +
                                 " is below the anchored size " +
                                 std::to_string(latest.tree_size)));
  }
  if (!Due(size, latest.tree_size)) return StepOutcome::kIdle;
  return AnchorHead(latest);
}

// The contract's last anchor has no entry in the log yet as far as this
// process knows: after a restart, a crash between confirmation and append,
// or an append that failed. Appending again is safe (same request id).
Result<bool> Anchord::RecoverAnchored(const registry::AnchoredHead& latest) {
  if (recorded_size_ && *recorded_size_ >= latest.tree_size) return false;
  if (latest.tree_size == 0) {
    recorded_size_ = 0;
    return false;
  }
  ASSIGN_OR_RETURN(std::optional<Attempt> attempt, ReadAttempt(options_.state_file));
  if (!attempt || attempt->chain_id != options_.chain_id ||
      attempt->contract != options_.contract || attempt->statement.log_id != log_id_ ||
      attempt->statement.tree_size != latest.tree_size ||
      attempt->statement.root_hash != latest.root_hash) {
    // Anchored by someone else (another anchord, an operator): its evidence
    // is not ours to record. The baseline is left as it is, so the next
    // cycle is due at once and checks the log against that head (a fork or
    // a rollback is refused there) before anything builds on it.
    Log("warn", "anchor_not_ours", {{"tree_size", latest.tree_size}});
    recorded_size_ = latest.tree_size;
    return false;
  }
  evm::rpc::LogFilter filter;
  filter.address = options_.contract;
  filter.topics = {registry::AnchoredTopic(), log_id_};
  filter.from_block = attempt->from_block;
  ASSIGN_OR_RETURN(auto logs, rpc_->GetLogs(filter));
  for (const auto& log : logs) {
    ASSIGN_OR_RETURN(auto event, registry::DecodeAnchored(log));
    if (!event || log.removed || !(event->statement == attempt->statement)) continue;
    RETURN_IF_ERROR(ConfirmAndRecord(*attempt, log.tx_hash));
    Log("info", "anchor_recovered", {{"tree_size", latest.tree_size}, {"tx", log.tx_hash.Hex()}});
    return true;
  }
  return Status::Unavailable("anchor_log_missing",
                             "the node returns no Anchored event for the anchored head");
}

bool Anchord::Due(uint64_t size, uint64_t anchored_size) const {
  // Entries since the last anchor's own ANCHOR_CONFIRMED entry: that entry
  // alone never makes another anchor due.
  const uint64_t baseline = std::max(baseline_size_, anchored_size);
  if (size <= baseline) return false;
  if (options_.entries > 0 && size - baseline >= options_.entries) return true;
  return last_anchor_ == std::chrono::steady_clock::time_point() ||
         std::chrono::steady_clock::now() - last_anchor_ >= options_.every;
}

Result<StepOutcome> Anchord::AnchorHead(const registry::AnchoredHead& latest) {
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(SignedHead head, ledgerd_->Statement(latest.tree_size));
  // The head: signed by the pinned log key, and the statement's fields are
  // the checkpoint's (size, root, map line).
  ASSIGN_OR_RETURN(ledger::VerifiedCheckpoint cp,
                   ledger::VerifyCheckpoint(head.checkpoint, *verifier_));
  ASSIGN_OR_RETURN(std::optional<Hash> map_line, ledger::state_map::FindRoot(cp.checkpoint.extensions));
  if (cp.checkpoint.size != head.size || cp.checkpoint.root != head.root ||
      map_line.value_or(Hash{}) != head.map_root) {
    return Status::VerificationFailed("statement_checkpoint_mismatch",
                                      "the statement is not the signed checkpoint's head");
  }
  if (head.chain_id != options_.chain_id || head.contract != options_.contract) {
    return Status::FailedPrecondition(
        "statement_wrong_registry",
        "the notary signs for chain " + std::to_string(head.chain_id) + " contract " +
            head.contract.Hex() + ", anchord is configured for another registry");
  }
  registry::Statement statement{log_id_, head.size, head.root, head.map_root};
  ASSIGN_OR_RETURN(ledger::EthAddress signer,
                   ledger::registry::RecoverStatementSigner(options_.chain_id,
                                                            options_.contract.bytes, statement,
                                                            head.signature));
  if (signer != latest.notary.bytes) {
    return Status::VerificationFailed("statement_wrong_signer",
                                      "the statement is not signed by the registered notary " +
                                          latest.notary.Hex());
  }
  // Never a fork: the head must extend the anchored one (RFC 9162 §2.1.4.2).
  if (head.size < latest.tree_size) {
    return Alarm(Status::VerificationFailed(
        "log_behind_anchor", "the log's head (size " + std::to_string(head.size) +
                                 ") is older than the anchored one (size " +
                                 std::to_string(latest.tree_size) + ")"));
  }
  if (head.size == latest.tree_size) {
    if (head.root != latest.root_hash) {
      return Alarm(Status::VerificationFailed("inconsistent_head",
                                              "the log's root differs from the anchored root "
                                              "at the same size"));
    }
    return StepOutcome::kIdle;
  }
  if (latest.tree_size > 0) {
    if (!head.from || *head.from != latest.tree_size || head.from_root != latest.root_hash) {
      return Alarm(Status::VerificationFailed(
          "inconsistent_head", "the log's root at the anchored size is not the anchored root"));
    }
    Status consistent = ledger::merkle::VerifyConsistency(
        latest.tree_size, head.size, head.consistency_proof, latest.root_hash, head.root);
    if (!consistent.ok()) {
      return Alarm(Status::VerificationFailed("inconsistent_head", consistent.ToString()));
    }
  }
  std::vector<Hash> proof = latest.tree_size > 0 ? head.consistency_proof : std::vector<Hash>{};

  const uint64_t statement_us = MicrosSince(started);
  Attempt attempt{options_.chain_id, options_.contract, statement, head.checkpoint,
                  head.signature, 0, {}};
  if (!options_.tsa_url.empty()) {
    // Before submitting, so that the token is in the state file with the
    // rest of the attempt's evidence (RFC 3161 over SHA-256 of the checkpoint).
    auto ts = ledger::timestamp::RequestTimestamp(
        options_.tsa_url, ledger::Sha256::Digest(head.checkpoint), options_.tsa_ca_pem);
    if (ts.ok()) {
      attempt.timestamp_token = std::move(ts->token);
      stats_.timestamps.fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.timestamp_failures.fetch_add(1, std::memory_order_relaxed);
      Log("warn", "timestamp_failed", StatusFields(ts.status()));
    }
  }
  ASSIGN_OR_RETURN(attempt.from_block, rpc_->BlockNumber());
  RETURN_IF_ERROR(WriteAttempt(options_.state_file, attempt));
  ledger::CrashPoint("anchord.before_submit");
  auto anchoring = registry::Anchor(*payer_, options_.contract, statement, proof, head.signature);
  if (!anchoring.ok()) {
    // registry_size_not_growing: an earlier transaction of ours (or anyone's)
    // anchored meanwhile; the next Step reads it from the contract.
    return anchoring.status();
  }
  stats_.anchors_submitted.fetch_add(1, std::memory_order_relaxed);
  const uint64_t mined_us = MicrosSince(started);
  ledger::CrashPoint("anchord.after_submit");
  RETURN_IF_ERROR(ConfirmAndRecord(attempt, anchoring->receipt.tx_hash));
  stats_.last_latency_us.store(MicrosSince(started), std::memory_order_relaxed);
  // Where the time goes: the signed head from ledgerd and its checks, then
  // the chain (state file, simulation, send, receipt), then confirmation
  // and the record (in the "recorded" line).
  Log("info", "anchored", {{"tree_size", head.size},
                           {"tx", anchoring->receipt.tx_hash.Hex()},
                           {"latency_us", MicrosSince(started)},
                           {"statement_us", statement_us},
                           {"mined_us", mined_us}});
  return StepOutcome::kAnchored;
}

Status Anchord::ConfirmAndRecord(const Attempt& attempt, const Hash& tx) {
  auto confirmed = payer_->WaitForConfirmations(tx, options_.confirmations);
  if (!confirmed.ok()) {
    const std::string& r = confirmed.status().reason();
    if (r == "tx_not_on_chain" || r == "tx_reorged") {
      // The block left the canonical chain: nothing is recorded; the next
      // Step reads the contract again and re-submits if the anchor is gone.
      stats_.reorgs.fetch_add(1, std::memory_order_relaxed);
      Log("warn", "anchor_reorged", {{"tree_size", attempt.statement.tree_size}, {"tx", tx.Hex()}});
    }
    return confirmed.status();
  }
  // Only an anchor the chain shows: a successful receipt from the registry
  // with the Anchored event for exactly this statement.
  RETURN_IF_ERROR(
      registry::FindAnchoredEvent(*confirmed, options_.contract, attempt.statement).status());
  ASSIGN_OR_RETURN(auto block, rpc_->GetBlockByHash(confirmed->block_hash));
  if (!block || block->number != confirmed->block_number) {
    return Status::Unavailable("tx_reorged", "the receipt's block is not on the chain");
  }
  stats_.anchors_confirmed.fetch_add(1, std::memory_order_relaxed);
  stats_.anchored_size.store(attempt.statement.tree_size, std::memory_order_relaxed);
  ledger::CrashPoint("anchord.after_confirm");
  const auto record_started = std::chrono::steady_clock::now();

  AnchorRecord record{options_.chain_id,        options_.contract, tx,
                      confirmed->block_number,  confirmed->block_hash, block->timestamp,
                      attempt.statement,        attempt.checkpoint,    attempt.signature,
                      attempt.timestamp_token};
  ASSIGN_OR_RETURN(ledger::Event event, AnchorEvent(record));
  ASSIGN_OR_RETURN(ledger::Bytes bytes, ledger::EncodeEvent(event));
  ASSIGN_OR_RETURN(ledger::Bytes stamp,
                   ledger::MakeStamp(verifier_->name(), bytes, *options_.submitter));
  ASSIGN_OR_RETURN(Appended appended, ledgerd_->Append(bytes, stamp));
  stats_.anchors_recorded.fetch_add(1, std::memory_order_relaxed);
  if (appended.duplicate) stats_.record_duplicates.fetch_add(1, std::memory_order_relaxed);
  Log("info", "recorded", {{"tree_size", attempt.statement.tree_size},
                           {"index", appended.index},
                           {"duplicate", appended.duplicate},
                           {"record_us", MicrosSince(record_started)}});
  recorded_size_ = attempt.statement.tree_size;
  baseline_size_ = std::max(baseline_size_, appended.index + 1);
  last_anchor_ = std::chrono::steady_clock::now();
  stats_.last_anchor_unix_s.store(UnixSeconds(), std::memory_order_relaxed);
  stats_.unanchored_entries.store(0, std::memory_order_relaxed);
  ledger::CrashPoint("anchord.after_record");
  return Status::Ok();
}

void Anchord::Run(const std::atomic<bool>& stop, std::chrono::milliseconds poll) {
  std::string last_reason;
  while (!stop.load()) {
    auto r = Step();
    std::chrono::milliseconds wait = poll;
    if (!r.ok()) {
      stats_.errors.fetch_add(1, std::memory_order_relaxed);
      // One line per change of reason, not one per retry of an outage.
      if (r.status().reason() != last_reason) Log("error", "step_failed", StatusFields(r.status()));
      last_reason = r.status().reason();
      wait = std::max(poll, std::chrono::milliseconds(1000));
    } else {
      stats_.last_success_unix_s.store(UnixSeconds(), std::memory_order_relaxed);
      if (!last_reason.empty()) Log("info", "recovered", {{"after", last_reason}});
      last_reason.clear();
      if (*r != StepOutcome::kIdle) continue;
    }
    for (auto slept = std::chrono::milliseconds(0); slept < wait && !stop.load();
         slept += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

// Prometheus text format 0.0.4 (ledger/metrics/prometheus.h).
std::string Anchord::Metrics() const {
  struct Metric {
    const char* name;
    const char* help;
    const std::atomic<uint64_t>* value;
  };
  const Metric counters[] = {
      {"anchord_anchors_submitted_total", "anchor transactions mined", &stats_.anchors_submitted},
      {"anchord_anchors_confirmed_total", "anchors at the confirmation depth",
       &stats_.anchors_confirmed},
      {"anchord_anchors_recorded_total", "ANCHOR_CONFIRMED entries appended",
       &stats_.anchors_recorded},
      {"anchord_record_duplicates_total", "appends answered as duplicates",
       &stats_.record_duplicates},
      {"anchord_reorgs_total", "anchors whose block left the chain", &stats_.reorgs},
      {"anchord_forks_refused_total", "heads refused as inconsistent with the anchored head",
       &stats_.forks_refused},
      {"anchord_errors_total", "failed cycles", &stats_.errors},
      {"anchord_timestamps_total", "RFC 3161 tokens obtained for anchored heads",
       &stats_.timestamps},
      {"anchord_timestamp_failures_total", "TSA requests that gave no valid token",
       &stats_.timestamp_failures},
  };
  ledger::prometheus::Page m;
  for (const Metric& c : counters) m.Counter(c.name, c.help, c.value->load());
  m.Gauge("anchord_anchored_size", "tree size anchored in the registry",
          stats_.anchored_size.load());
  m.Gauge("anchord_log_size", "the log's size at the last cycle that read it",
          stats_.log_size.load());
  m.Gauge("anchord_unanchored_entries",
          "entries appended since the last anchor (its own ANCHOR_CONFIRMED entry not counted)",
          stats_.unanchored_entries.load());
  m.Gauge("anchord_last_anchor_timestamp_seconds",
          "Unix time of the last anchor this process recorded, or of its start before the first",
          stats_.last_anchor_unix_s.load());
  m.Gauge("anchord_last_success_timestamp_seconds",
          "Unix time of the last cycle that ended without an error (0: none yet)",
          stats_.last_success_unix_s.load());
  m.Gauge("anchord_last_latency_seconds", "checkpoint to recorded, last anchor",
          static_cast<double>(stats_.last_latency_us.load()) / 1e6);
  return m.str();
}

}  // namespace anchor::anchord
