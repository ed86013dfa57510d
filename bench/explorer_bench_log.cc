// Helper of ops/bench-explorer (not a Google Benchmark suite: the explorer is
// measured over HTTP with wrk).
//   explorer_bench_log make DIR N      a log of N 256-byte events in DIR as
//                                      ledgerd leaves it (ledger.json + store/),
//                                      signed by a fixed benchmark key
//   explorer_bench_log static DIR      cpp-httplib serving DIR's files on a free
//                                      127.0.0.1 port (prints "listening on
//                                      127.0.0.1:PORT"): the baseline the
//                                      explorer is compared with
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <iostream>

#include "bench_util.h"
#include "ledger/note/note.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/store/log_store.h"

namespace {

constexpr char kOrigin[] = "bench.example/explorer";

int Make(const std::string& dir, uint64_t n) {
  auto key = ledger::Ed25519PrivateKey::FromSeed(ledger::Bytes(32, 0x5e)).value();
  std::shared_ptr<const ledger::note::Verifier> verifier(
      ledger::note::NewEd25519Verifier(kOrigin, key.public_key()));
  auto seq = ledger::Sequencer::Genesis(kOrigin, ledger::note::NewEd25519Signer(kOrigin, std::move(key)), {},
                                        [t = uint64_t{1'700'000'000'000'000}]() mutable {
                                          return t += 1000;
                                        });
  if (!seq.ok()) return std::cerr << seq.status() << "\n", 1;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/ledger.json") << "{\"log_vkey\": \"" << verifier->VerifierKey() << "\"}\n";
  ledger::store::RocksDbOptions o;
  o.create_if_missing = true;
  o.sync = false;  // building the fixture, not measuring appends
  auto kv = ledger::store::OpenRocksDb(dir + "/store", o);
  if (!kv.ok()) return std::cerr << kv.status() << "\n", 1;
  auto store = ledger::store::LogStore::Create(std::move(kv).value(), seq->head().checkpoint_note,
                                               verifier);
  if (!store.ok()) return std::cerr << store.status() << "\n", 1;
  for (uint64_t done = 0; done < n;) {
    uint64_t count = std::min<uint64_t>(10000, n - done);
    std::vector<ledger::SubmittedEvent> batch;
    for (uint64_t i = 0; i < count; ++i) batch.push_back({ledger::bench::Event256(done + i), {}});
    auto b = seq->Sequence(done, seq->head().range.Root(), batch);
    if (!b.ok()) return std::cerr << b.status() << "\n", 1;
    auto s = (*store)->Append(*b);
    if (!s.ok()) return std::cerr << s << "\n", 1;
    done += count;
  }
  std::cout << "log of " << n << " entries in " << dir << "\n";
  return 0;
}

int Static(const std::string& dir) {
  signal(SIGPIPE, SIG_IGN);
  httplib::Server http;
  http.new_task_queue = [] { return new httplib::ThreadPool(8); };
  if (!http.set_mount_point("/", dir)) return std::cerr << "cannot serve " << dir << "\n", 1;
  int port = http.bind_to_any_port("127.0.0.1");
  std::cout << "listening on 127.0.0.1:" << port << std::endl;
  http.listen_after_bind();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "make" && argc == 4) return Make(argv[2], std::stoull(argv[3]));
  if (cmd == "static" && argc == 3) return Static(argv[2]);
  std::cerr << "usage: explorer_bench_log make DIR N | static DIR\n";
  return 2;
}
