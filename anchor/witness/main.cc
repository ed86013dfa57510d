// witness: a C2SP tlog-witness daemon (see anchor/README.md).
//
//   witness keygen --name NAME --out FILE
//   witness --listen HOST:PORT --data DIR --name NAME --key FILE --log ORIGIN=VKEY...
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"
#include "witness/key_file.h"
#include "witness/server.h"
#include "witness/state_store.h"
#include "witness/witness.h"

namespace {

using ledger::Result;
using ledger::Status;
namespace note = ledger::note;

constexpr char kUsage[] =
    "usage:\n"
    "  witness keygen --name NAME --out FILE\n"
    "      create the witness's Ed25519 key (FILE, mode 0600); print its vkey\n"
    "  witness --listen HOST:PORT --data DIR --name NAME --key FILE --log ORIGIN=VKEY...\n"
    "      serve POST /add-checkpoint and GET /<hex sha256(origin)>/checkpoint;\n"
    "      PORT 0 picks a free port; prints \"listening on HOST:PORT\"\n"
    "      [--tls-cert FILE --tls-key FILE]: serve https; SIGHUP reloads them\n";

struct Flags {
  std::map<std::string, std::string> single;
  std::vector<std::string> logs;
};

Result<Flags> ParseFlags(int argc, char** argv, int first) {
  Flags f;
  for (int i = first; i < argc; ++i) {
    std::string flag = argv[i];
    if (!flag.starts_with("--") || i + 1 >= argc) {
      return Status::InvalidArgument("bad_flag", "unexpected argument " + flag);
    }
    std::string value = argv[++i];
    if (flag == "--log") {
      f.logs.push_back(value);
    } else if (flag == "--listen" || flag == "--data" || flag == "--name" || flag == "--key" ||
               flag == "--out" || flag == "--tls-cert" || flag == "--tls-key") {
      if (!f.single.emplace(flag.substr(2), value).second) {
        return Status::InvalidArgument("bad_flag", flag + " given twice");
      }
    } else {
      return Status::InvalidArgument("bad_flag", "unknown flag " + flag);
    }
  }
  return f;
}

Result<std::string> Required(const Flags& f, const std::string& name) {
  auto it = f.single.find(name);
  if (it == f.single.end() || it->second.empty()) {
    return Status::InvalidArgument("missing_flag", "--" + name + " is required");
  }
  return it->second;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "witness: %s\n", s.ToString().c_str());
  return s.code() == ledger::Code::kInvalidArgument ? 2 : 1;
}

int Keygen(const Flags& f) {
  auto name = Required(f, "name");
  if (!name.ok()) return Fail(name.status());
  auto out = Required(f, "out");
  if (!out.ok()) return Fail(out.status());
  if (!note::IsValidKeyName(*name)) {
    return Fail(Status::InvalidArgument("bad_key_name", "invalid key name " + *name));
  }
  auto key = anchor::witness::GenerateKeyFile(*out);
  if (!key.ok()) return Fail(key.status());
  auto signer = note::NewCosignatureV1Signer(*name, std::move(key).value());
  std::printf("%s\n", signer->VerifierKey().c_str());
  return 0;
}

// --log ORIGIN=VKEY, split at the first '=' (origins with '=' are not
// supported; vkeys may end in '='). Repeating an origin adds a key.
Result<std::vector<anchor::witness::LogConfig>> ParseLogs(const std::vector<std::string>& flags) {
  std::vector<anchor::witness::LogConfig> logs;
  for (const auto& v : flags) {
    auto eq = v.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("bad_flag", "--log must be ORIGIN=VKEY");
    }
    std::string origin = v.substr(0, eq);
    RETURN_IF_ERROR(ledger::ValidateOrigin(origin));
    ASSIGN_OR_RETURN(std::unique_ptr<note::Verifier> key, note::ParseVerifierKey(v.substr(eq + 1)));
    anchor::witness::LogConfig* log = nullptr;
    for (auto& l : logs) {
      if (l.origin == origin) log = &l;
    }
    if (log == nullptr) log = &logs.emplace_back(anchor::witness::LogConfig{origin, {}});
    log->keys.push_back(std::move(key));
  }
  return logs;
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("bad_flag", "--listen must be HOST:PORT");
  }
  auto port = ledger::ParseDecimalU64(listen.substr(colon + 1));
  if (!port.ok() || *port > 65535) {
    return Status::InvalidArgument("bad_flag", "--listen port must be 0..65535");
  }
  return std::make_pair(listen.substr(0, colon), static_cast<int>(*port));
}

int Run(const Flags& f) {
  auto listen = Required(f, "listen");
  auto data = Required(f, "data");
  auto name = Required(f, "name");
  auto key_path = Required(f, "key");
  for (const auto* r : {&listen, &data, &name, &key_path}) {
    if (!r->ok()) return Fail(r->status());
  }
  if (f.logs.empty()) return Fail(Status::InvalidArgument("missing_flag", "--log is required"));
  if (!note::IsValidKeyName(*name)) {
    return Fail(Status::InvalidArgument("bad_key_name", "invalid key name " + *name));
  }
  auto host_port = ParseListen(*listen);
  if (!host_port.ok()) return Fail(host_port.status());
  auto logs = ParseLogs(f.logs);
  if (!logs.ok()) return Fail(logs.status());
  auto key = anchor::witness::ReadKeyFile(*key_path);
  if (!key.ok()) return Fail(key.status());
  // SIGINT/SIGTERM stop the server from a thread of our own, not from a
  // signal handler. The mask is set before any thread starts
  // (RocksDB starts its own).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto store = anchor::witness::OpenStateStore(*data);
  if (!store.ok()) return Fail(store.status());
  auto witness = anchor::witness::Witness::Create(
      store->get(), note::NewCosignatureV1Signer(*name, std::move(key).value()),
      std::move(logs).value());
  if (!witness.ok()) return Fail(witness.status());

  ledger::tls::ServerTls tls;
  if (auto it = f.single.find("tls-cert"); it != f.single.end()) tls.cert_file = it->second;
  if (auto it = f.single.find("tls-key"); it != f.single.end()) tls.key_file = it->second;
  anchor::witness::Server server(witness->get(), tls);
  auto port = server.Bind(host_port->first, host_port->second);
  if (!port.ok()) return Fail(port.status());
  std::printf("witness %s\n", (*witness)->signer().VerifierKey().c_str());
  std::printf("listening on %s:%d\n", host_port->first.c_str(), *port);
  std::fflush(stdout);
  std::thread stopper([&server, stop_signals] {
    int sig = 0;
    while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP) {
      Status reloaded = server.ReloadTls();
      if (reloaded.ok()) {
        std::fprintf(stderr, "witness: TLS certificate reloaded\n");
      } else {
        std::fprintf(stderr, "witness: TLS certificate not reloaded, the previous one serves: %s\n",
                     reloaded.ToString().c_str());
      }
    }
    server.Stop();
  });
  Status s = server.Serve();
  // Serve returned on its own (an error): wake the stopper so it can join.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    bool keygen = argc >= 2 && std::strcmp(argv[1], "keygen") == 0;
    auto flags = ParseFlags(argc, argv, keygen ? 2 : 1);
    if (!flags.ok()) {
      std::fputs(kUsage, stderr);
      return Fail(flags.status());
    }
    return keygen ? Keygen(*flags) : Run(*flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "witness: internal error: %s\n", e.what());
    return 1;
  }
}
