#include "ledger/ledgerd/server.h"

#include <httplib.h>

#include <charconv>
#include <condition_variable>
#include <iostream>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "anchor_routes.h"
#include "ledger/base/clock.h"
#include "ledger/export/http_export.h"
#include "ledger/files/read_file.h"
#include "ledger/http_reply/http_reply.h"
#include "ledger/json_log/json_log.h"
#include "ledger/ledgerd/api_tokens.h"
#include "ledger/ledgerd/batcher.h"
#include "ledger/ledgerd/entries.h"
#include "ledger/ledgerd/host_appender.h"
#include "ledger/ledgerd/self_verify.h"
#include "ledger/ledgerd/witnessing.h"
#include "ledger/metrics/prometheus.h"
#include "ledger/notary_host/notary_host.h"
#include "ledger/store/log_store.h"
#include "ledger/store_open/store_open.h"
#include "ledger/timestamp/tsa_client.h"
#include "ledger/tls/http_listener.h"
#include "ledger/tls/plaintext_credentials.h"
#include "ledger/trust/manifest.h"
#include "state_routes.h"

namespace ledger::ledgerd {

using http_reply::ReplyError;
using json_log::LogEvent;
using json_log::StatusFields;

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<store::LogStore> store;
  // The store's Kv (owned by `store`), asked whether writes are durable now.
  const store::Kv* kv_durability = nullptr;
  mutable std::mutex durability_mu;
  mutable Status durability;
  mutable std::chrono::steady_clock::time_point durability_at;
  std::unique_ptr<Batcher> batcher;
  // Set when the manifest requires witnesses; destroyed before the batcher.
  std::unique_ptr<Witnessing> witnessing;
  std::atomic<Witnessing*> notify{nullptr};
  Status startup;  // why appends are off from the start, OK otherwise
  std::unique_ptr<tls::HttpListener> listener;
  httplib::Server* http = nullptr;  // listener's, set in Start
  std::thread http_thread;
  int port = 0;
  int listen_fd = -1;
  std::mutex mu;
  std::condition_variable stopped_cv;
  bool stopped = false;
  std::atomic<uint64_t> http_requests{0}, http_errors{0};
  // Time of POST /v1/entries outside the batcher: parsing the body, and
  // building the receipts (verified leaf reads and inclusion proofs).
  std::atomic<uint64_t> parse_us{0}, receipt_us{0};
  // The first stored record a read refused (Corruption): sticky, because a
  // store that was tampered with once is not trusted for appends again.
  mutable std::mutex corruption_mu;
  Status corruption;
  // Host tasks (host_appender.h, self_verify.h): what ledgerd appends itself.
  std::string vkey;
  std::shared_ptr<const note::Verifier> log_key;
  std::string host_key_name;
  std::unique_ptr<note::Signer> host_key;  // until StartHostTasks hands it over
  std::unique_ptr<HostAppender> host_appender;
  std::optional<ApiTokens> export_tokens;
  // Who may ask for registry statements (anchord); set when anchoring is on.
  std::optional<ApiTokens> anchor_tokens;
  std::mutex export_mu;  // one export at a time: each walks its whole range
  std::string tsa_ca_pem;  // --tsa-ca, read at start
  std::atomic<uint64_t> exports{0};
  // Destroyed first in Stop: its runs append through the batcher.
  std::unique_ptr<SelfVerifier> self_verifier;
  // The first failed scheduled verification: sticky like `corruption`.
  mutable std::mutex verification_mu;
  Status verification;
  std::atomic<uint64_t> verification_last_ok_s{0}, verification_last_us{0},
      verification_recorded{0};

  Status Open();
  Status CheckAnchoring(const std::optional<Manifest>& manifest) const;
  Status LoadHostConfig();
  Status StartHostTasks();
  void OnVerification(const VerificationRun& run);
  void Export(const httplib::Request& req, httplib::Response& res);
  Status Verification() const {
    std::lock_guard<std::mutex> lock(verification_mu);
    return verification;
  }
  void Routes();
  void PostEntries(const httplib::Request& req, httplib::Response& res);
  void GetReceipt(const httplib::Request& req, httplib::Response& res);
  std::string Metrics();
  void NoteCorruption(const Status& s) {
    if (s.code() != Code::kCorruption) return;
    std::lock_guard<std::mutex> lock(corruption_mu);
    if (corruption.ok()) {
      corruption = s;
      LogEvent("error", "the store holds a record that does not verify; appends are off",
               StatusFields(s));
    }
  }
  Status Corruption() const {
    std::lock_guard<std::mutex> lock(corruption_mu);
    return corruption;
  }
  // A replicated store without its synchronous standby (or a fenced
  // writer) serves no append; asked at most once a second.
  Status Durability() const {
    if (kv_durability == nullptr) return Status::Ok();
    std::lock_guard<std::mutex> lock(durability_mu);
    const auto now = std::chrono::steady_clock::now();
    if (now - durability_at >= std::chrono::seconds(1)) {
      Status d = kv_durability->CheckDurability();
      if (!d.ok() && durability.ok()) {
        LogEvent("error", "the store's writes are not durable now; appends are off",
                 StatusFields(d));
      } else if (d.ok() && !durability.ok()) {
        LogEvent("info", "the store's writes are durable again", nlohmann::json::object());
      }
      durability = d;
      durability_at = now;
    }
    return durability;
  }
  Status Health() const {
    if (!startup.ok()) return startup;
    if (Status d = Durability(); !d.ok()) return d;
    if (witnessing) {
      Status w = witnessing->health();
      if (!w.ok()) return w;
    }
    if (Status c = Corruption(); !c.ok()) return c;
    if (Status v = Verification(); !v.ok()) return v;
    return batcher ? batcher->health() : Status::Unavailable("not_started", "not started");
  }
  Result<std::vector<witness_client::WitnessConfig>> Witnesses(
      const std::optional<Manifest>& manifest, size_t& quorum);
};

Status Server::Impl::Open() {
  const std::string& dir = options.data_dir;
  ASSIGN_OR_RETURN(std::string text, files::ReadFile(dir + "/ledger.json"));
  nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
  if (!config.is_object() || !config["log_vkey"].is_string() ||
      !config["notary_socket"].is_string()) {
    return Status::InvalidArgument(
        "bad_config", dir + "/ledger.json is not a notary log's (ledgerctl init --notary)");
  }
  vkey = config["log_vkey"].get<std::string>();
  std::optional<Manifest> manifest;
  if (config.contains("manifest") && config["manifest"].is_string()) {
    ASSIGN_OR_RETURN(std::string bytes, files::ReadFile(config["manifest"].get<std::string>()));
    ASSIGN_OR_RETURN(manifest, DecodeManifest(AsBytes(bytes)));
  }
  RETURN_IF_ERROR(CheckAnchoring(manifest));
  ASSIGN_OR_RETURN(auto verifier, note::ParseVerifierKey(vkey));
  ASSIGN_OR_RETURN(auto pinned, note::ParseVerifierKey(vkey));
  log_key = std::shared_ptr<const note::Verifier>(std::move(pinned));
  ASSIGN_OR_RETURN(store::StoreConfig store_config, store::ReadStoreConfig(dir));
  store::StoreOpenOptions open_options;
  open_options.access = store::StoreAccess::kWriter;
  // On PostgreSQL this takes the writer epoch: any other ledgerd on the
  // store is fenced from its next batch on (docs/postgres.md).
  ASSIGN_OR_RETURN(auto kv, store::OpenStore(dir, store_config, open_options));
  LogEvent("info", "store opened",
           nlohmann::json{{"store", store::DescribeStore(dir, store_config)}});
  auto opened = store::LogStore::Open(
      std::move(kv), std::shared_ptr<const note::Verifier>(std::move(verifier)));
  if (!opened.ok()) {
    // A store that does not verify against the pinned key (tampered head,
    // tiles, checkpoint or metadata) is reported, not served: ledgerd stays
    // up, unhealthy, so that monitoring sees why (docs/crash-safety.md).
    const Code c = opened.status().code();
    if (c != Code::kCorruption && c != Code::kVerificationFailed &&
        c != Code::kFailedPrecondition) {
      return opened.status();
    }
    startup = opened.status();
    LogEvent("error", "the store does not verify; serving nothing", StatusFields(startup));
    return Status::Ok();
  }
  store = std::move(opened).value();
  kv_durability = &store->kv();
  if (options.audit_on_start) {
    const auto t0 = std::chrono::steady_clock::now();
    Status audit = store->Audit();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
    if (!audit.ok()) {
      startup = audit;
      LogEvent("error", "the store audit failed; appends are off", StatusFields(startup));
      return Status::Ok();
    }
    LogEvent("info", "store audited", nlohmann::json{{"size", store->size()}, {"ms", ms}});
  }
  size_t quorum = 0;
  ASSIGN_OR_RETURN(auto witnesses, Witnesses(manifest, quorum));
  const std::string socket = config["notary_socket"].get<std::string>();
  const std::string manifest_file =
      manifest ? config["manifest"].get<std::string>() : std::string();
  auto host = notary_host::NotaryHost::Connect(socket, vkey, store.get(), manifest_file);
  if (!host.ok()) {
    startup = host.status();
    LogEvent("error", "notary not at the store's head; appends are off", StatusFields(startup));
    return Status::Ok();
  }
  if (const auto& resent = (*host)->resent()) {
    // Killed before writing the notary's last answer: the journaled request,
    // sent again, brought the same answer (docs/crash-safety.md).
    LogEvent("info", "journaled batch re-sent; the notary's answer is written",
             nlohmann::json{{"first_index", resent->first_index}, {"count", resent->count}});
  }
  LogEvent("info", "notary at the store's head",
           nlohmann::json{{"size", store->size()}, {"socket", socket}});
  BatcherOptions bo;
  bo.max_batch = options.max_batch;
  bo.max_delay = std::chrono::duration_cast<std::chrono::microseconds>(options.max_delay);
  bo.queue_limit = options.queue_limit;
  if (quorum > 0) {
    auto state = (*host)->client().GetStatus();
    if (!state.ok()) {
      startup = state.status();
      return Status::Ok();
    }
    bo.awaiting_confirmation = state->state() == notary_client::pb::StatusInfo::CONFIRMING;
    bo.on_persisted = [this] {
      if (Witnessing* w = notify.load()) w->Notify();
    };
  }
  const bool confirm = bo.awaiting_confirmation;
  batcher = std::make_unique<Batcher>(store.get(), std::move(*host), std::move(bo));
  if (quorum > 0) {
    WitnessingOptions wo;
    wo.quorum = quorum;
    wo.client.timeout = options.witness_request_timeout;
    wo.client.tls = options.witness_tls;
    wo.refresh = options.witness_refresh;
    wo.client.connect_timeout = std::min(options.witness_request_timeout,
                                         std::chrono::milliseconds(1000));
    std::function<Status(const std::string&)> on_confirm;
    if (confirm) {
      on_confirm = [this](const std::string& note) {
        Status s = batcher->ConfirmHead(note);
        if (s.ok()) {
          LogEvent("info", "the witness quorum confirmed the restored head",
                   nlohmann::json{{"size", store->size()}});
        }
        return s;
      };
    }
    // Each later cosigned checkpoint bounds the notary's clock; a
    // disagreement is logged (the notary then refuses to sequence).
    wo.on_cosigned = [this](const std::string& note) {
      auto checked = batcher->CheckClock(note);
      if (!checked.ok()) {
        LogEvent("warn", "the notary did not take the witnesses' time", StatusFields(checked.status()));
      } else if (!checked->in_bound()) {
        LogEvent("error", "the notary's clock disagrees with the witnesses'; appends are refused",
                 nlohmann::json{{"witness_time", checked->witness_time()},
                                {"notary_time", checked->notary_time()}});
      }
    };
    witnessing = std::make_unique<Witnessing>(store.get(), std::move(witnesses), wo,
                                              std::move(on_confirm));
    notify.store(witnessing.get());
    LogEvent("info", "witnessing",
             nlohmann::json{
                 {"quorum", quorum}, {"witnesses", options.witnesses}, {"confirming", confirm}});
  }
  return Status::Ok();
}

// The witnesses of the manifest's quorum, resolved against the configured
// URLs. A manifest without witnesses needs none; one with witness_quorum > 0
// needs at least that many configured, each naming a manifest witness key.
Result<std::vector<witness_client::WitnessConfig>> Server::Impl::Witnesses(
    const std::optional<Manifest>& manifest, size_t& quorum) {
  quorum = 0;
  if (!manifest) {
    if (!options.witnesses.empty()) {
      return Status::InvalidArgument("bad_witness_config",
                                     "witnesses need the log's manifest (ledger.json)");
    }
    return std::vector<witness_client::WitnessConfig>{};
  }
  const Manifest& m = *manifest;
  quorum = m.witness_quorum;
  ASSIGN_OR_RETURN(auto witnesses, witness_client::ResolveWitnesses(options.witnesses, m.witnesses));
  RETURN_IF_ERROR(tls::CheckClientTls(options.witness_tls));
  if (quorum == 0 && !witnesses.empty()) {
    return Status::InvalidArgument("bad_witness_config",
                                   "the manifest requires no witnesses (witness_quorum 0)");
  }
  if (witnesses.size() < quorum) {
    return Status::InvalidArgument(
        "bad_witness_config", "the manifest requires " + std::to_string(quorum) +
                                  " witness cosignatures; " +
                                  std::to_string(witnesses.size()) + " witnesses configured");
  }
  return witnesses;
}

// A manifest that names a registry turns anchoring on: the notary then signs
// registry statements, and POST /v1/anchor/statement must know who may ask
// (anchord). Serving it to anyone is refused at start, as are tokens for a
// log that cannot anchor (a mistake in the deployment). Without a manifest
// in ledger.json ledgerd cannot tell; the route stays closed unless tokens
// are given.
Status Server::Impl::CheckAnchoring(const std::optional<Manifest>& manifest) const {
  const bool registry = manifest && manifest->registry_chain_id && manifest->registry_address;
  if (registry && options.anchor_tokens.empty()) {
    return Status::InvalidArgument("anchor_tokens_required",
                                   "the manifest names a registry: anchoring needs "
                                   "--anchor-tokens (who may ask for registry statements)");
  }
  if (manifest && !registry && !options.anchor_tokens.empty()) {
    return Status::InvalidArgument("bad_option", "--anchor-tokens: the manifest names no registry");
  }
  return Status::Ok();
}

void Server::Impl::PostEntries(const httplib::Request& req, httplib::Response& res) {
  if (req.body.size() > options.max_body) {
    return ReplyError(res, Status::InvalidArgument("body_too_large", "the body is too large"), 413);
  }
  std::string ct = req.get_header_value("Content-Type");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  const auto parse_start = std::chrono::steady_clock::now();
  auto micros_since = [](std::chrono::steady_clock::time_point t) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - t)
                                     .count());
  };
  Result<std::vector<Entry>> entries = Status::Internal("unset", "unset");
  if (ct == "application/json") {
    entries = ParseJsonEntries(req.body, options.max_body);
  } else if (ct == "application/x-protobuf") {
    entries = ParseProtoEntries(req.body);
  } else {
    return ReplyError(res,
                      Status::InvalidArgument("unsupported_media_type",
                                              "send application/json or application/x-protobuf"),
                      415);
  }
  parse_us.fetch_add(micros_since(parse_start), std::memory_order_relaxed);
  if (!entries.ok()) return ReplyError(res, entries.status());
  Status health = Health();
  if (!health.ok()) return ReplyError(res, health, 503);
  auto futures = batcher->Submit(std::move(*entries));
  if (!futures.ok()) return ReplyError(res, futures.status(), 503);
  nlohmann::json results = nlohmann::json::array();
  std::optional<Status> first_error;
  ReceiptCache receipt_cache;
  for (auto& f : *futures) f.wait();
  const auto receipt_start = std::chrono::steady_clock::now();
  // With witnesses, a receipt is released once the quorum cosigned a
  // checkpoint covering the entry; the whole request waits at most
  // witness_timeout for that (the entries stay durable either way).
  const auto deadline = std::chrono::steady_clock::now() + options.witness_timeout;
  for (auto& f : *futures) {
    Result<Acknowledged> ack = f.get();
    uint64_t tree_size = 0;
    if (ack.ok() && witnessing) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto covered = witnessing->WaitCovered(ack->index, std::max(left, std::chrono::milliseconds(0)));
      if (covered.ok()) {
        tree_size = *covered;
      } else {
        ack = covered.status();
      }
    }
    Result<nlohmann::json> receipt =
        ack.ok() ? ReceiptJson(*store, ack->index, ack->duplicate ? nullptr : &*ack, tree_size,
                               &receipt_cache)
                 : Result<nlohmann::json>(ack.status());
    if (!receipt.ok()) {
      NoteCorruption(receipt.status());
      if (!first_error) first_error = receipt.status();
      results.push_back(ErrorJson(receipt.status()));
      continue;
    }
    results.push_back({{"receipt", *receipt}, {"duplicate", ack->duplicate}});
  }
  receipt_us.fetch_add(micros_since(receipt_start), std::memory_order_relaxed);
  // The client certificate's subject (--client-ca): who submitted, as the
  // host saw it. Logged and answered beside the stamps, never signed: the
  // stamp is the submitter's own proof, this is the transport's.
  const std::string identity = tls::ClientSubject(req);
  if (!identity.empty()) {
    nlohmann::json indices = nlohmann::json::array();
    for (const auto& r : results) {
      if (r.contains("receipt")) indices.push_back(r["receipt"]["index"]);
    }
    LogEvent("info", "entries submitted",
             nlohmann::json{{"client_identity", identity},
                            {"entries", results.size()},
                            {"indices", indices},
                            {"refused", first_error.has_value()}});
  }
  if (first_error) {
    nlohmann::json body = ErrorJson(*first_error);
    body["results"] = results;
    if (!identity.empty()) body["client_identity"] = identity;
    http_reply::ReplyJson(res, HttpStatusFor(*first_error), body);
    if (first_error->code() == Code::kUnavailable) res.set_header("Retry-After", "1");
    return;
  }
  nlohmann::json body = {{"results", results}};
  if (!identity.empty()) body["client_identity"] = identity;
  http_reply::ReplyJson(res, 200, body);
}

void Server::Impl::GetReceipt(const httplib::Request& req, httplib::Response& res) {
  const std::string s = req.matches[1];
  uint64_t index = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), index);
  if (ec != std::errc() || p != s.data() + s.size() || (s.size() > 1 && s[0] == '0')) {
    return ReplyError(res, Status::InvalidArgument("bad_index", "the index is a decimal number"));
  }
  if (!store) return ReplyError(res, Health(), 503);
  if (index >= store->size()) {
    return ReplyError(res, Status::NotFound("index_out_of_range",
                                            "no entry " + s + " in a log of size " +
                                                std::to_string(store->size())));
  }
  uint64_t tree_size = 0;
  if (witnessing) {
    // Only what the witness quorum cosigned is released.
    tree_size = witnessing->cosigned_size();
    if (index >= tree_size) {
      return ReplyError(res, Status::Unavailable("witness_quorum_unavailable",
                                                 "entry " + s + " is not yet cosigned by the "
                                                 "witness quorum"));
    }
  }
  auto receipt = ReceiptJson(*store, index, nullptr, tree_size);
  if (!receipt.ok()) {
    NoteCorruption(receipt.status());
    return ReplyError(res, receipt.status());
  }
  http_reply::ReplyJson(res, 200, *receipt);
}

// Prometheus text format 0.0.4 (ledger/metrics/prometheus.h): one family per name,
// per-witness series labelled {witness="NAME"}, durations in seconds.
std::string Server::Impl::Metrics() {
  namespace prom = ledger::prometheus;
  prom::Page m;
  const Status health = Health();
  m.Gauge("ledgerd_up", "1 when appends are served", health.ok() ? 1 : 0);
  m.Gauge("ledgerd_store_size", "entries in the store", store ? store->size() : 0);
  const Status durable = Durability();
  m.Gauge("ledgerd_store_durable",
          "1 when a write now is as durable as promised (PostgreSQL: a synchronous standby)",
          durable.ok() ? 1 : 0);
  m.Gauge("ledgerd_store_fenced", "1 once another ledgerd took the store (writer epoch)",
          durable.reason() == "fenced" ? 1 : 0);
  m.Counter("ledgerd_http_requests_total", "HTTP requests", http_requests.load());
  m.Gauge("ledgerd_store_corrupt", "1 once a stored record failed verification",
          !Corruption().ok() || startup.code() == Code::kCorruption ? 1 : 0);
  m.Gauge("ledgerd_rollback_detected",
          "1 when a witness has cosigned a later or different head than the store's",
          health.reason() == "rollback_detected" ? 1 : 0);
  m.Gauge("ledgerd_verification_failed",
          "1 once a scheduled self-verification failed (sticky until restart)",
          Verification().ok() ? 0 : 1);
  m.Counter("ledgerd_verification_runs_total", "scheduled self-verifications run",
            self_verifier ? self_verifier->runs() : 0);
  m.Counter("ledgerd_verification_failures_total", "scheduled self-verifications failed",
            self_verifier ? self_verifier->failed_runs() : 0);
  m.Counter("ledgerd_verification_recorded_total", "VERIFICATION_RUN entries appended",
            verification_recorded.load());
  m.Gauge("ledgerd_verification_last_success_timestamp_seconds",
          "Unix time of the last successful self-verification (0: none yet)",
          verification_last_ok_s.load());
  m.Gauge("ledgerd_verification_last_duration_seconds", "duration of the last self-verification",
          static_cast<double>(verification_last_us.load()) / 1e6);
  m.Counter("ledgerd_exports_total", "export bundles served (EXPORT_CREATED)", exports.load());
  // A restarted notary refuses appends until the witness quorum confirmed
  // the head it restored (ConfirmHead).
  m.Gauge("ledgerd_notary_head_unconfirmed",
          "1 while the notary waits for the witness quorum to confirm its restored head",
          witnessing && !witnessing->confirmed() ? 1 : 0);
  if (witnessing) {
    m.Gauge("ledgerd_witness_quorum", "cosignatures required before release",
            witnessing->quorum());
    m.Gauge("ledgerd_witness_quorum_cosigned_size",
            "size of the latest checkpoint cosigned by the witness quorum",
            witnessing->cosigned_size());
    m.Gauge("ledgerd_witness_pending_releases", "entries waiting for the witness quorum",
            witnessing->pending());
    const auto ws = witnessing->stats();
    auto labelled = [&](std::string_view name, std::string_view type, std::string_view help,
                        auto value) {
      m.Family(name, type, help);
      for (const WitnessStats& w : ws) m.Sample(name, value(w), {{"witness", w.name}});
    };
    labelled("ledgerd_witness_up", "gauge", "1 when the witness's last answer was a cosignature",
             [](const WitnessStats& w) { return w.up ? 1 : 0; });
    labelled("ledgerd_witness_latency_seconds", "gauge", "duration of the last add-checkpoint call",
             [](const WitnessStats& w) { return static_cast<double>(w.last_latency_us) / 1e6; });
    labelled("ledgerd_witness_cosigned_size", "gauge", "size the witness last cosigned for us",
             [](const WitnessStats& w) { return w.cosigned_size; });
    labelled("ledgerd_witness_failures_total", "counter",
             "add-checkpoint calls without a cosignature",
             [](const WitnessStats& w) { return w.failures; });
    labelled("ledgerd_witness_faulty", "gauge",
             "1 when the witness's last answer was a 409/422 without evidence",
             [](const WitnessStats& w) { return w.faulty ? 1 : 0; });
    labelled("ledgerd_witness_faults_total", "counter", "409/422 answers without evidence",
             [](const WitnessStats& w) { return w.faults; });
  }
  if (!batcher) return m.str();
  const BatcherStats& s = batcher->stats();
  m.Gauge("ledgerd_queue_depth", "entries waiting for a batch", batcher->queue_depth());
  m.Gauge("ledgerd_queue_limit", "entries the queue holds before appends are refused",
          options.queue_limit);
  m.Counter("ledgerd_entries_appended_total", "entries appended", s.appended.load());
  m.Counter("ledgerd_entries_duplicate_total", "retried request ids answered",
            s.duplicates.load());
  m.Counter("ledgerd_entries_refused_total", "entries refused", s.refused.load());
  m.Counter("ledgerd_state_conflicts_total",
            "STATE_NOTARIZED requests refused by compare-and-swap (each also logged)",
            s.state_conflicts.load());
  m.Counter("ledgerd_queue_full_total", "requests refused for a full queue",
            s.rejected_full.load());
  m.Counter("ledgerd_notary_round_trips_total", "notary Append calls", s.notary_calls.load());
  m.Counter("ledgerd_notary_errors_total", "notary Append calls that failed",
            s.notary_errors.load());
  // Where the time goes (ops/bench reads these): seconds, summed.
  auto seconds = [](const std::atomic<uint64_t>& us) {
    return static_cast<double>(us.load()) / 1e6;
  };
  m.Counter("ledgerd_notary_seconds_total", "time in notary Append round trips",
            seconds(s.notary_us_sum));
  m.Counter("ledgerd_journal_write_seconds_total",
            "time writing each batch's request to the journal before the notary call",
            seconds(s.journal_us_sum));
  m.Counter("ledgerd_store_write_seconds_total",
            "time verifying app proofs and writing synced batches", seconds(s.persist_us_sum));
  m.Counter("ledgerd_parse_seconds_total", "time parsing append bodies", seconds(parse_us));
  m.Counter("ledgerd_receipt_seconds_total",
            "time building receipts (verified reads, inclusion proofs)", seconds(receipt_us));
  auto buckets = [](const std::atomic<uint64_t>* counts,
                    std::initializer_list<std::string_view> les) {
    std::vector<std::pair<std::string_view, uint64_t>> out;
    size_t i = 0;
    for (std::string_view le : les) out.emplace_back(le, counts[i++].load());
    return out;
  };
  m.Histogram("ledgerd_batch_size", "entries per batch",
              buckets(s.size_buckets, {"1", "10", "100", "1000", "+Inf"}),
              static_cast<double>(s.batch_entries_sum.load()), s.batches.load());
  m.Histogram("ledgerd_batch_commit_seconds", "notary round trip and synced write per batch",
              buckets(s.latency_buckets, {"0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "+Inf"}),
              seconds(s.batch_latency_us_sum), s.batches.load());
  return m.str();
}

// The host key, export requesters, anchord's tokens and the
// self-verification schedule (host_appender.h, api_tokens.h, self_verify.h). A
// key or token file that cannot be used is
// a configuration error (exit 2); a store that does not serve appends gets
// neither exports nor scheduled runs.
Status Server::Impl::LoadHostConfig() {
  if ((options.verify_every.count() > 0 || !options.export_tokens.empty()) &&
      options.host_key.empty()) {
    return Status::InvalidArgument("bad_option",
                                   "--verify-every and --export-tokens need --host-key");
  }
  if (!options.verify_backup.empty() && options.verify_every.count() == 0) {
    return Status::InvalidArgument("bad_option", "--verify-backup needs --verify-every");
  }
  if (!options.host_key.empty()) {
    ASSIGN_OR_RETURN(host_key, ReadHostKey(options.host_key));
    host_key_name = host_key->name();
  }
  if (!options.export_tokens.empty()) {
    ASSIGN_OR_RETURN(ApiTokens t, ApiTokens::Load(options.export_tokens));
    export_tokens = std::move(t);
  }
  if (!options.anchor_tokens.empty()) {
    ASSIGN_OR_RETURN(ApiTokens t, ApiTokens::Load(options.anchor_tokens));
    anchor_tokens = std::move(t);
  }
  // A token grants one right: an exporter must not be able to ask for
  // registry statements, nor anchord for exports.
  if (export_tokens && anchor_tokens && export_tokens->SharesTokenWith(*anchor_tokens)) {
    return Status::InvalidArgument("shared_token",
                                   "--export-tokens and --anchor-tokens list the same token");
  }
  if (options.tsa_url.empty() != options.tsa_ca.empty()) {
    return Status::InvalidArgument("bad_option", "--tsa-url and --tsa-ca go together");
  }
  if (!options.tsa_ca.empty()) {
    ASSIGN_OR_RETURN(tsa_ca_pem, files::ReadFile(options.tsa_ca));
  }
  return Status::Ok();
}

Status Server::Impl::StartHostTasks() {
  if (!store || !batcher || !host_key) return Status::Ok();
  host_appender =
      std::make_unique<HostAppender>(store.get(), batcher.get(), std::move(host_key), log_key);
  if (witnessing) host_appender->RequireWitnesses(witnessing.get(), options.witness_timeout);
  if (options.verify_every.count() > 0) {
    self_verifier = std::make_unique<SelfVerifier>(
        store.get(), log_key, options.verify_backup, options.verify_every,
        [this](const VerificationRun& run) { OnVerification(run); });
    LogEvent("info", "self-verification scheduled",
             nlohmann::json{{"every_s", options.verify_every.count()},
                            {"backup", options.verify_backup}});
  }
  return Status::Ok();
}

// Records the run as VERIFICATION_RUN while appends are healthy, then makes a
// failure sticky: /healthz answers 503 with its reason and appends stop until
// an operator has looked (as for a record that fails verification on read).
// A store that failed its own audit is not appended to: the failure is then
// in /healthz, /metrics and the log line only.
void Server::Impl::OnVerification(const VerificationRun& run) {
  verification_last_us.store(run.duration_us);
  nlohmann::json fields = {{"ok", run.ok()},
                           {"tree_size", run.tree_size},
                           {"duration_us", run.duration_us},
                           {"failures", run.failures}};
  if (run.backup_size) fields["backup_size"] = *run.backup_size;
  LogEvent(run.ok() ? "info" : "error", "self-verification", fields);
  const bool store_failed =
      !run.ok() && run.failures.front().starts_with("store");
  if (store_failed) NoteCorruption(Status(Code::kCorruption, run.first_failure.reason(),
                                          run.first_failure.message()));
  if (Health().ok()) {
    auto appended = host_appender->Append(VerificationEvent(run, host_key_name), std::nullopt);
    if (appended.ok()) {
      verification_recorded.fetch_add(1);
      LogEvent("info", "VERIFICATION_RUN recorded",
               nlohmann::json{{"index", appended->first_index}});
    } else {
      LogEvent("error", "VERIFICATION_RUN not recorded", StatusFields(appended.status()));
    }
  }
  if (run.ok()) {
    verification_last_ok_s.store(run.started_at_us / 1'000'000);
    return;
  }
  std::lock_guard<std::mutex> lock(verification_mu);
  if (verification.ok()) {
    verification = Status(run.first_failure.code(), "verification_failed",
                          run.failures.front());
  }
}

void Server::Impl::Export(const httplib::Request& req, httplib::Response& res) {
  if (!host_appender || !export_tokens) {
    return ReplyError(res, Status::Unavailable("export_not_configured",
                                               "exports need --host-key and --export-tokens "
                                               "and a store that serves appends"),
                      503);
  }
  std::optional<std::string> requester =
      export_tokens->Authenticate(req.get_header_value("Authorization"));
  if (!requester) {
    res.set_header("WWW-Authenticate", "Basic realm=\"ledgerd export\", charset=\"UTF-8\"");
    return ReplyError(res, Status::InvalidArgument("unauthenticated",
                                                   "an export needs a requester and API token "
                                                   "(HTTP Basic)"),
                      401);
  }
  if (Status h = Health(); !h.ok()) return ReplyError(res, h, 503);
  std::unique_lock<std::mutex> lock(export_mu, std::try_to_lock);
  if (!lock.owns_lock()) {
    return ReplyError(res, Status::Unavailable("export_busy", "another export is running"), 503);
  }
  exporter::ExportRequest defaults;
  defaults.requester = *requester;
  defaults.requester_auth = "http-basic-token";
  defaults.log_vkey = vkey;
  defaults.created_at_us = SystemClockMicros();
  defaults.software_version = "ledgerd 0.1.0";
  if (!options.tsa_url.empty()) {
    // The TSA's answer is verified against the pinned roots before it goes
    // into the bundle (export-bundle.md §6.1).
    defaults.timestamp = [this](const Hash& digest) -> Result<Bytes> {
      ASSIGN_OR_RETURN(auto stamped,
                       timestamp::RequestTimestamp(options.tsa_url, digest, tsa_ca_pem));
      return std::move(stamped.token);
    };
  }
  exporter::AppendFn append = [this](const Event& e, const store::Payload& p) {
    return host_appender->Append(e, p);
  };
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  exporter::HttpResponse out = exporter::HandleExport(*store, query, defaults, append);
  if (out.status == 200) {
    exports.fetch_add(1);
    res.set_header("Content-Disposition", "attachment; filename=\"export-" +
                                              std::to_string(defaults.created_at_us) + ".tar\"");
    nlohmann::json fields = {{"requester", *requester}, {"bytes", out.body.size()}};
    if (std::string id = tls::ClientSubject(req); !id.empty()) fields["client_identity"] = id;
    LogEvent("info", "export", fields);
  }
  res.status = out.status;
  res.set_content(std::move(out.body), out.content_type);
}

void Server::Impl::Routes() {
  http->set_payload_max_length(options.max_body);
  const size_t threads = options.http_threads;
  http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Answers go out as headers then body; with Nagle on, the body waits for
  // the client's delayed ACK (~40 ms) on every kept-alive request.
  http->set_tcp_nodelay(true);
  http->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      return ReplyError(res, Status::InvalidArgument("body_too_large", "the body is too large"),
                        413);
    }
    ReplyError(res, Status::NotFound("no_such_route", "no such route"), res.status);
  });
  http->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        ReplyError(res, Status::Internal("internal", "internal error"), 500);
      });
  http->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    http_requests.fetch_add(1, std::memory_order_relaxed);
    // A token sent in clear may have been seen: refused before any route
    // reads it (plaintext_credentials.h).
    if (Status s = listener->CheckCredentials(req); !s.ok()) {
      ReplyError(res, s, 403);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http->Post("/v1/entries", [this](const httplib::Request& req, httplib::Response& res) {
    PostEntries(req, res);
  });
  http->Get(R"(/v1/entries/([0-9]+)/receipt)",
            [this](const httplib::Request& req, httplib::Response& res) { GetReceipt(req, res); });
  // GET for links (the explorer's Export button), POST for API clients.
  http->Get("/v1/export",
            [this](const httplib::Request& req, httplib::Response& res) { Export(req, res); });
  http->Post("/v1/export",
             [this](const httplib::Request& req, httplib::Response& res) { Export(req, res); });
  StateRouteDeps state_deps;
  state_deps.store = store.get();
  state_deps.batcher = batcher.get();
  state_deps.witnessing = witnessing.get();
  state_deps.witness_timeout = options.witness_timeout;
  state_deps.max_body = options.max_body;
  state_deps.health = [this] { return Health(); };
  state_deps.on_read_error = [this](const Status& s) { NoteCorruption(s); };
  AddStateRoutes(*http, std::move(state_deps));
  http->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    Status h = Health();
    if (!h.ok()) return ReplyError(res, h, 503);
    nlohmann::json body = {{"status", "serving"}, {"size", store->size()}};
    // Faulty witnesses do not stop the log, but an operator should know.
    if (witnessing) {
      for (const WitnessStats& w : witnessing->stats()) {
        if (w.faulty) body["faulty_witnesses"][w.name] = w.fault;
      }
    }
    http_reply::ReplyJson(res, 200, body);
  });
  http->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(Metrics(), ledger::prometheus::kContentType);
  });
  AnchorRoutes(*http, store.get(), batcher.get(), anchor_tokens ? &*anchor_tokens : nullptr);
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  const auto& o = impl_->options;
  ASSIGN_OR_RETURN(impl_->listener, tls::HttpListener::Create(o.tls, o.host));
  impl_->http = &impl_->listener->http();
  RETURN_IF_ERROR(tls::CheckCredentialsListener(
      o.tls, o.host, !o.export_tokens.empty() || !o.anchor_tokens.empty(),
      "--export-tokens and --anchor-tokens (HTTP Basic)"));
  RETURN_IF_ERROR(impl_->LoadHostConfig());
  RETURN_IF_ERROR(impl_->Open());
  RETURN_IF_ERROR(impl_->StartHostTasks());
  impl_->Routes();
  // httplib listens with a backlog of 5; clients of one group commit arrive
  // together, so the backlog is raised once the socket listens.
  Impl* impl = impl_.get();
  impl_->http->set_socket_options([impl](socket_t fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    impl->listen_fd = fd;
  });
  if (o.port == 0) {
    impl_->port = impl_->http->bind_to_any_port(o.host);
  } else {
    impl_->port = impl_->http->bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (impl_->port <= 0) {
    return Status::Unavailable("bind_failed", "cannot listen on " + o.host + ":" +
                                                  std::to_string(o.port));
  }
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
  impl_->http_thread = std::thread([this] { impl_->http->listen_after_bind(); });
  LogEvent("info", "listening",
           nlohmann::json{{"host", o.host},
                          {"port", impl_->port},
                          {"tls", o.tls.enabled()},
                          {"client_certificates", !o.tls.client_ca.empty()}});
  return Status::Ok();
}

int Server::port() const { return impl_->port; }
Status Server::health() const { return impl_->Health(); }

Status Server::ReloadTls() {
  if (!impl_->listener) return Status::FailedPrecondition("not_started", "not started");
  return impl_->listener->Reload();
}

void Server::Stop() {
  if (!impl_) return;
  if (impl_->http) impl_->http->stop();
  if (impl_->http_thread.joinable()) impl_->http_thread.join();
  impl_->self_verifier.reset();
  impl_->notify.store(nullptr);
  impl_->witnessing.reset();
  impl_->batcher.reset();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->stopped = true;
  impl_->stopped_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace ledger::ledgerd
