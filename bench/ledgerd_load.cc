// ledgerd_load: an HTTP load generator for a running ledgerd, with the raw
// RocksDB baseline measured in the same run.
//
//   ledgerd_load --url http://127.0.0.1:PORT --key SUBMITTER_KEY --origin ORIGIN
//                [--connections N] [--events-per-request B] [--requests R]
//                [--raw-dir DIR] [--label TEXT] [--state-queries Q]
//                [--stamps per-event|batch] [--notary-threads T] [--cpu-pid NAME=PID...]
//
// --cpu-pid (repeatable, e.g. ledgerd=PID notary=PID): the CPU time (user +
// system, /proc/PID/stat) each process spent during the appends, per entry.
//
// N keep-alive connections (cpp-httplib clients, one thread each) send R
// POST /v1/entries requests of B stamped 256-byte events (bench_util.h), all
// built and stamped before the clock starts: stamping is the submitter's
// work, not ledgerd's. --stamps batch signs each request once (a batch stamp,
// schemas/formats/stamp.md §7) instead of each event. Every answer must be
// 200 with B receipts. The single-core Ed25519 verification rate of this
// machine is measured in the same run, for the ratio to what the notary's T
// verification threads could do at most. Then, in
// the same process, synced RocksDB WriteBatches carrying the same bytes per
// entry as a ledger batch (the leaf and its level-0 tile hash, as in
// limits_bench.cc), of B entries and of ledgerd's observed mean batch size.
// ledgerd's /metrics before and after split its time into notary round
// trips, synced writes, parsing and receipts.
//
// With --state-queries Q, Q GET /v1/state/{subject} requests follow over the
// same N connections, round robin over the 1000 subjects the events name
// (schemas/formats/map.md §9): state answers per second and their latency,
// every answer 200 with a present entry.
//
// Prints one JSON object (ops/bench collects them; bench_report.py
// summarises). Exit status 0, or 1 if any request failed.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bench_util.h"
#include "ledger/base/bytes.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"
#include "ledger/record/stamp.h"
#include "raw_rocksdb.h"

namespace ledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string key_file, origin, raw_dir = "/tmp", label;
  size_t connections = 16, per_request = 1, requests = 1000;
  size_t state_queries = 0;
  bool batch_stamps = false;
  size_t notary_threads = 1;
  std::vector<std::pair<std::string, int>> cpu_pids;
};

// User + system CPU seconds of a process so far (proc(5): fields 14 and 15
// of /proc/PID/stat, in clock ticks), or -1 if it cannot be read.
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int Usage(const std::string& why) {
  std::cerr << "ledgerd_load: " << why
            << "\nusage: ledgerd_load --url http://HOST:PORT --key FILE --origin ORIGIN "
               "[--connections N] [--events-per-request B] [--requests R] [--raw-dir DIR] "
               "[--label TEXT] [--state-queries Q] [--stamps per-event|batch] "
               "[--notary-threads T] [--cpu-pid NAME=PID...]\n";
  return 2;
}

bool ParseSize(const std::string& s, size_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out > 0;
}

// A submitter key file of `ledgerctl submitter-key` (Ed25519 only here):
// "<name>\ned25519\n<hex seed>\n" or the older "<name>\n<hex seed>\n".
Result<std::unique_ptr<note::Signer>> ReadKey(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  if (lines.size() == 3 && lines[1] != "ed25519") {
    return Status::InvalidArgument("bad_key_file", "ledgerd_load stamps with Ed25519 keys");
  }
  if (lines.size() != 2 && lines.size() != 3) {
    return Status::InvalidArgument("bad_key_file", "not a submitter key file: " + path);
  }
  ASSIGN_OR_RETURN(Bytes seed, HexDecode(lines.back()));
  ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::FromSeed(seed));
  return note::NewEd25519Signer(lines[0], std::move(key));
}

// ledgerd's /metrics counters and histogram sums, by name.
std::map<std::string, double> Scrape(httplib::Client& c) {
  std::map<std::string, double> out;
  auto r = c.Get("/metrics");
  if (!r || r->status != 200) return out;
  std::istringstream lines(r->body);
  for (std::string l; std::getline(lines, l);) {
    if (l.empty() || l[0] == '#' || l.find('{') != std::string::npos) continue;
    size_t sp = l.find(' ');
    if (sp == std::string::npos) continue;
    out[l.substr(0, sp)] = std::strtod(l.c_str() + sp + 1, nullptr);
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Synced WriteBatches of `batch` entries of the ledger's per-entry bytes
// for about `seconds`; entries per second.
double RawRocksDb(const std::string& base, size_t batch, double seconds) {
  RawSyncedWriter writer(base + "/ledgerd-load-raw-" + std::to_string(::getpid()));
  if (!writer.ok()) return 0;
  uint64_t entries = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    if (!writer.Write(batch)) return 0;
    entries += batch;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return static_cast<double>(entries) / elapsed;
}

// Sends `count` requests over `o.connections` keep-alive connections, one
// thread each; send(client, i) returns an error text or "" for a good
// answer. Returns the seconds taken and fills the latencies (ms).
template <typename Send>
double Drive(const Options& o, size_t count, Send send, std::vector<double>& latencies_ms,
             std::atomic<size_t>& failed, std::string& first_error) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < o.connections; ++t) {
    threads.emplace_back([&] {
      httplib::Client c(o.host, o.port);
      c.set_keep_alive(true);
      // As curl and every tuned client do: otherwise a POST's body waits for
      // the server's delayed ACK of its headers (~40 ms per request).
      c.set_tcp_nodelay(true);
      c.set_read_timeout(120, 0);
      std::vector<double> mine;
      for (size_t r; (r = next.fetch_add(1)) < count;) {
        const auto t0 = Clock::now();
        std::string error = send(c, r);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!error.empty()) {
          failed.fetch_add(1);
          std::lock_guard<std::mutex> l(mu);
          if (first_error.empty()) first_error = error;
        }
      }
      std::lock_guard<std::mutex> l(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& th : threads) th.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Q state queries: answers per second and latency; every answer must be
// 200 with a present entry.
nlohmann::json StateQueries(const Options& o, size_t& failed) {
  std::vector<double> latencies_ms;
  std::atomic<size_t> bad{0};
  std::atomic<size_t> answer_bytes{0};
  std::string first_error;
  const double seconds = Drive(
      o, o.state_queries,
      [&](httplib::Client& c, size_t q) -> std::string {
        auto res = c.Get("/v1/state/key%2Fk-" + std::to_string(q % 1000));
        if (!res) return httplib::to_string(res.error());
        if (res->status != 200 || res->body.find("\"entry\":null") != std::string::npos) {
          return std::to_string(res->status) + " " + res->body.substr(0, 300);
        }
        answer_bytes.store(res->body.size());
        return "";
      },
      latencies_ms, bad, first_error);
  failed = bad.load();
  nlohmann::json out = {{"queries", o.state_queries},
                        {"failed", failed},
                        {"per_sec", static_cast<double>(o.state_queries) / seconds},
                        {"answer_bytes", answer_bytes.load()},
                        {"latency_ms",
                         {{"p50", Percentile(latencies_ms, 0.50)},
                          {"p99", Percentile(latencies_ms, 0.99)},
                          {"max", Percentile(latencies_ms, 1.0)}}}};
  if (!first_error.empty()) out["first_error"] = first_error;
  return out;
}

// Ed25519 verifications per second on one core, of a stamp over one of the
// events sent: the physical limit of per-event stamps per notary thread.
double RawVerifyPerSec(const std::string& origin, const note::Signer& signer) {
  const Bytes event = Event256(1);
  const std::string text = StampText(origin, event);
  const Bytes sig = signer.Sign(text).value();
  auto verifier = note::ParseVerifierKey(signer.VerifierKey()).value();
  size_t n = 0;
  const auto start = Clock::now();
  double seconds = 0;
  do {
    for (int i = 0; i < 100; ++i) n += verifier->Verify(text, sig).ok() ? 1 : 0;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < 1.0);
  return static_cast<double>(n) / seconds;
}

int Run(const Options& o) {
  auto signer = ReadKey(o.key_file);
  if (!signer.ok()) {
    std::cerr << signer.status().ToString() << "\n";
    return 2;
  }
  // Distinct request ids in every run against the same log.
  const uint64_t base = static_cast<uint64_t>(
      std::chrono::system_clock::now().time_since_epoch().count() / 1000 % 1'000'000'000) *
      1'000'000;
  std::vector<std::string> bodies(o.requests);
  for (size_t r = 0; r < o.requests; ++r) {
    nlohmann::json entries = nlohmann::json::array();
    std::vector<Bytes> events;
    for (size_t i = 0; i < o.per_request; ++i) events.push_back(Event256(base + r * o.per_request + i));
    std::vector<Bytes> stamps;
    if (o.batch_stamps) {
      stamps = MakeBatchStamps(o.origin, events, **signer).value();
    } else {
      for (const Bytes& event : events) stamps.push_back(MakeStamp(o.origin, event, **signer).value());
    }
    for (size_t i = 0; i < o.per_request; ++i) {
      entries.push_back({{"event_bytes", Base64Encode(events[i])}, {"stamp", Base64Encode(stamps[i])}});
    }
    bodies[r] = nlohmann::json{{"entries", std::move(entries)}}.dump();
  }

  httplib::Client admin(o.host, o.port);
  const auto before = Scrape(admin);
  std::vector<double> cpu_before;
  for (const auto& [name, pid] : o.cpu_pids) cpu_before.push_back(CpuSeconds(pid));
  std::atomic<size_t> failed{0};
  std::vector<double> latencies_ms;
  std::string first_error;
  const double seconds = Drive(
      o, bodies.size(),
      [&](httplib::Client& c, size_t r) -> std::string {
        auto res = c.Post("/v1/entries", bodies[r], "application/json");
        if (!res) return httplib::to_string(res.error());
        if (res->status != 200) return std::to_string(res->status) + " " + res->body.substr(0, 300);
        return "";
      },
      latencies_ms, failed, first_error);
  const auto after = Scrape(admin);
  nlohmann::json cpu_us = nlohmann::json::object();
  for (size_t i = 0; i < o.cpu_pids.size(); ++i) {
    const double now = CpuSeconds(o.cpu_pids[i].second);
    if (now >= 0 && cpu_before[i] >= 0) {
      cpu_us[o.cpu_pids[i].first] =
          (now - cpu_before[i]) * 1e6 / static_cast<double>(o.requests * o.per_request);
    }
  }
  auto delta = [&](const std::string& name) {
    auto a = after.find(name), b = before.find(name);
    return (a == after.end() ? 0.0 : a->second) - (b == before.end() ? 0.0 : b->second);
  };

  const double entries = static_cast<double>(o.requests * o.per_request);
  const double batches = delta("ledgerd_batch_size_count");
  const double mean_batch = batches > 0 ? delta("ledgerd_batch_size_sum") / batches : 0;
  // Per entry, in microseconds: where ledgerd's time went (its counters are
  // in seconds).
  auto per_entry_us = [&](const std::string& name) { return delta(name) * 1e6 / entries; };
  const double rate = entries / seconds;
  const double raw_same = RawRocksDb(o.raw_dir, o.per_request, 2.0);
  const size_t observed = std::max<size_t>(1, static_cast<size_t>(mean_batch + 0.5));
  const double raw_observed =
      observed == o.per_request ? raw_same : RawRocksDb(o.raw_dir, observed, 2.0);
  const double raw_verify = RawVerifyPerSec(o.origin, **signer);
  const double verify_limit = raw_verify * static_cast<double>(o.notary_threads);
  nlohmann::json out = {
      {"label", o.label},
      {"connections", o.connections},
      {"events_per_request", o.per_request},
      {"stamps", o.batch_stamps ? "batch" : "per_event"},
      {"event_bytes", kEventBytes},
      {"requests", o.requests},
      {"failed_requests", failed.load()},
      {"seconds", seconds},
      {"entries_per_sec", rate},
      {"requests_per_sec", static_cast<double>(o.requests) / seconds},
      {"latency_ms",
       {{"p50", Percentile(latencies_ms, 0.50)},
        {"p99", Percentile(latencies_ms, 0.99)},
        {"max", Percentile(latencies_ms, 1.0)}}},
      {"ledgerd",
       {{"batches", batches},
        {"mean_batch_entries", mean_batch},
        {"notary_round_trips", delta("ledgerd_notary_round_trips_total")},
        {"per_entry_us",
         {{"journal_write", per_entry_us("ledgerd_journal_write_seconds_total")},
          {"notary_round_trip", per_entry_us("ledgerd_notary_seconds_total")},
          {"store_write", per_entry_us("ledgerd_store_write_seconds_total")},
          {"http_parse", per_entry_us("ledgerd_parse_seconds_total")},
          {"receipts", per_entry_us("ledgerd_receipt_seconds_total")},
          {"batch_commit", delta("ledgerd_batch_commit_seconds_sum") * 1e6 / entries},
          {"wall_clock", 1e6 / rate}}}}},
      {"raw_rocksdb_synced",
       {{"batch_entries", o.per_request},
        {"entries_per_sec", raw_same},
        {"observed_batch_entries", observed},
        {"observed_batch_entries_per_sec", raw_observed}}},
      {"ratio_to_raw_same_batch", raw_same > 0 ? rate / raw_same : 0},
      {"ratio_to_raw_observed_batch", raw_observed > 0 ? rate / raw_observed : 0},
      {"raw_verify_one_core_per_sec", raw_verify},
      {"notary_threads", o.notary_threads},
      // For per-event stamps the notary verifies one signature per entry, so
      // this is the share of its verification capacity used; batch stamps
      // verify one per request and can exceed 1.
      {"ratio_to_raw_verify_x_threads", verify_limit > 0 ? rate / verify_limit : 0},
      // CPU time per entry of each process named by --cpu-pid (all threads).
      {"cpu_us_per_entry", cpu_us},
  };
  if (!first_error.empty()) out["first_error"] = first_error;
  size_t state_failed = 0;
  if (o.state_queries > 0) out["state_queries"] = StateQueries(o, state_failed);
  std::cout << out.dump() << std::endl;
  return failed.load() == 0 && state_failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ledger::bench

int main(int argc, char** argv) {
  using ledger::bench::Usage;
  ledger::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + flag);
    std::string v = argv[++i];
    if (flag == "--url") {
      const std::string prefix = "http://";
      size_t colon = v.rfind(':');
      if (v.rfind(prefix, 0) != 0 || colon == std::string::npos || colon < prefix.size()) {
        return Usage("--url takes http://HOST:PORT");
      }
      o.host = v.substr(prefix.size(), colon - prefix.size());
      o.port = std::atoi(v.c_str() + colon + 1);
    } else if (flag == "--key") {
      o.key_file = v;
    } else if (flag == "--origin") {
      o.origin = v;
    } else if (flag == "--raw-dir") {
      o.raw_dir = v;
    } else if (flag == "--label") {
      o.label = v;
    } else if (flag == "--connections" && ledger::bench::ParseSize(v, o.connections)) {
    } else if (flag == "--events-per-request" && ledger::bench::ParseSize(v, o.per_request)) {
    } else if (flag == "--requests" && ledger::bench::ParseSize(v, o.requests)) {
    } else if (flag == "--state-queries" && ledger::bench::ParseSize(v, o.state_queries)) {
    } else if (flag == "--notary-threads" && ledger::bench::ParseSize(v, o.notary_threads)) {
    } else if (flag == "--cpu-pid" && v.find('=') != std::string::npos) {
      size_t pid = 0;
      if (!ledger::bench::ParseSize(v.substr(v.find('=') + 1), pid)) return Usage("bad --cpu-pid " + v);
      o.cpu_pids.emplace_back(v.substr(0, v.find('=')), static_cast<int>(pid));
    } else if (flag == "--stamps" && (v == "per-event" || v == "batch")) {
      o.batch_stamps = v == "batch";
    } else {
      return Usage("bad option " + flag + " " + v);
    }
  }
  if (o.port <= 0 || o.key_file.empty() || o.origin.empty()) {
    return Usage("--url, --key and --origin are required");
  }
  return ledger::bench::Run(o);
}
