// anchord: anchors the log's signed heads in the AnchorRegistry (anchor/README.md).
//
//   anchord --ledgerd URL --ledgerd-token-file FILE --rpc URL --chain-id N --contract 0xADDR
//           --log-vkey FILE --payer-key FILE --submitter-key FILE --state FILE
//           [--every SECONDS] [--entries M] [--confirmations N] [--poll-ms MS]
//           [--metrics HOST:PORT [--tls-cert FILE --tls-key FILE]]
//           [--ledgerd-ca FILE] [--ledgerd-cert FILE --ledgerd-key FILE]
//           [--tsa URL --tsa-ca FILE] [--once]
// An https --ledgerd is verified against --ledgerd-ca (default: the system's
// store); --ledgerd-cert/--ledgerd-key answer a ledgerd that asks for client
// certificates. --tls-cert/--tls-key put the metrics listener on TLS;
// SIGHUP reloads them.
#include <httplib.h>
#include <openssl/crypto.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "anchord/anchord.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/files/read_file.h"
#include "ledger/metrics/prometheus.h"
#include "ledger/note/checkpoint.h"
#include "ledger/tls/http_listener.h"

namespace {

using anchor::anchord::Anchord;
using anchor::anchord::AnchordOptions;
using ledger::Result;
using ledger::Status;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

// A key readable by others is refused (key_file_mode), as the witness does
// with its key.
Result<std::string> ReadSecretFile(const std::string& path) {
  return ledger::files::ReadFile(path, {.private_only = true});
}

Result<std::string> ReadText(const std::string& path) {
  ASSIGN_OR_RETURN(std::string s, ledger::files::ReadFile(path));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The payer key: 64 hex digits, optionally 0x-prefixed, one line.
Result<ledger::Bytes> PayerKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSecretFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.rfind("0x", 0) == 0) text = text.substr(2);
  auto key = ledger::HexDecode(text);
  if (!key.ok() || key->size() != 32) {
    return Status::InvalidArgument("bad_key_file", path + ": not a 32-byte hex secret");
  }
  return *key;
}

// A submitter key file as ledgerctl writes it: "<name>\ned25519\n<hex seed>\n".
Result<std::shared_ptr<const ledger::note::Signer>> SubmitterKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSecretFile(path));
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.size() != 3 || lines[1] != "ed25519" || !ledger::note::IsValidKeyName(lines[0])) {
    return Status::InvalidArgument("bad_key_file", path + ": not an ed25519 submitter key file");
  }
  auto seed = ledger::HexDecode(lines[2]);
  if (!seed.ok()) return Status::InvalidArgument("bad_key_file", path + ": bad seed");
  ASSIGN_OR_RETURN(auto key, ledger::Ed25519PrivateKey::FromSeed(*seed));
  return std::shared_ptr<const ledger::note::Signer>(
      ledger::note::NewEd25519Signer(lines[0], std::move(key)));
}

// ledgerd's credential for registry statements: "<name>:<token>", a secret
// like the keys (ParseLedgerdToken).
Result<std::string> LedgerdToken(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSecretFile(path));
  auto token = anchor::anchord::ParseLedgerdToken(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!token.ok()) {
    return Status::InvalidArgument("bad_token_file", path + ": " + token.status().message());
  }
  return token;
}

int Usage(const std::string& why) {
  std::cerr
      << "anchord: " << why << "\n"
      << "usage: anchord --ledgerd URL --ledgerd-token-file FILE --rpc URL --chain-id N\n"
         "               --contract 0xADDR --log-vkey FILE --payer-key FILE\n"
         "               --submitter-key FILE --state FILE\n"
         "               [--every SECONDS] [--entries M] [--confirmations N]\n"
         "               [--poll-ms MS] [--metrics HOST:PORT [--tls-cert FILE --tls-key FILE]]\n"
         "               [--ledgerd-ca FILE] [--ledgerd-cert FILE --ledgerd-key FILE]\n"
         "               [--tsa URL --tsa-ca FILE] [--once]\n";
  return 2;
}

int Fail(const Status& s) {
  std::cerr << "anchord: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  bool once = false;
  static const std::set<std::string> kKnown = {
      "ledgerd",    "ledgerd-token-file", "rpc",           "chain-id",   "contract",
      "log-vkey",   "payer-key",          "submitter-key", "state",      "every",
      "entries",    "confirmations",      "poll-ms",       "metrics",    "tsa",
      "tsa-ca",     "tls-cert",           "tls-key",       "ledgerd-ca", "ledgerd-cert",
      "ledgerd-key"};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--once") {
      once = true;
      continue;
    }
    if (a.rfind("--", 0) != 0 || !kKnown.count(a.substr(2)) || i + 1 >= argc) {
      return Usage("bad argument " + a);
    }
    flags[a.substr(2)] = argv[++i];
  }
  for (const char* required : {"ledgerd", "ledgerd-token-file", "rpc", "chain-id", "contract",
                               "log-vkey", "payer-key", "submitter-key", "state"}) {
    if (!flags.count(required)) return Usage(std::string("missing --") + required);
  }
  auto number = [&flags](const char* name, uint64_t def) -> Result<uint64_t> {
    if (!flags.count(name)) return def;
    return ledger::ParseDecimalU64(flags[name]);
  };
  AnchordOptions o;
  o.ledgerd_url = flags["ledgerd"];
  o.ledgerd_tls.ca_file = flags["ledgerd-ca"];
  o.ledgerd_tls.cert_file = flags["ledgerd-cert"];
  o.ledgerd_tls.key_file = flags["ledgerd-key"];
  o.rpc_url = flags["rpc"];
  o.state_file = flags["state"];
  auto chain = number("chain-id", 0);
  auto every = number("every", 60);
  auto entries = number("entries", 0);
  auto confirmations = number("confirmations", 1);
  auto poll = number("poll-ms", 500);
  if (!chain.ok() || !every.ok() || !entries.ok() || !confirmations.ok() || !poll.ok()) {
    return Usage("numbers are canonical decimals");
  }
  o.chain_id = *chain;
  o.every = std::chrono::seconds(*every);
  o.entries = *entries;
  o.confirmations = *confirmations;
  auto contract = anchor::evm::Address::FromHex(flags["contract"]);
  if (!contract.ok()) return Fail(contract.status());
  o.contract = *contract;
  auto vkey = ReadText(flags["log-vkey"]);
  if (!vkey.ok()) return Fail(vkey.status());
  o.log_vkey = *vkey;
  auto payer = PayerKey(flags["payer-key"]);
  if (!payer.ok()) return Fail(payer.status());
  o.payer_key = *payer;
  auto token = LedgerdToken(flags["ledgerd-token-file"]);
  if (!token.ok()) return Fail(token.status());
  o.ledgerd_token = *token;
  auto submitter = SubmitterKey(flags["submitter-key"]);
  if (!submitter.ok()) return Fail(submitter.status());
  o.submitter = *submitter;
  if (flags.count("tsa")) {
    if (!flags.count("tsa-ca")) return Usage("--tsa needs --tsa-ca (the TSA's pinned root)");
    auto ca = ReadText(flags["tsa-ca"]);
    if (!ca.ok()) return Fail(ca.status());
    o.tsa_url = flags["tsa"];
    o.tsa_ca_pem = *ca + "\n";
  }
  auto created = Anchord::Create(std::move(o));
  if (!created.ok()) return Fail(created.status());
  Anchord& anchord = **created;

  if (once) {
    auto r = anchord.Step();
    if (!r.ok()) return Fail(r.status());
    using anchor::anchord::StepOutcome;
    std::cout << (*r == StepOutcome::kIdle       ? "idle"
                  : *r == StepOutcome::kAnchored ? "anchored"
                                                 : "recovered")
              << "\n";
    return 0;
  }
  ::signal(SIGINT, OnSignal);
  ::signal(SIGTERM, OnSignal);
  ::signal(SIGPIPE, SIG_IGN);
  ledger::tls::ServerTls tls{flags["tls-cert"], flags["tls-key"], ""};
  if (tls.enabled() && !flags.count("metrics")) return Usage("--tls-cert needs --metrics");
  // SIGHUP reloads the metrics listener's certificate, on a thread of its
  // own; blocked here, before any thread starts, so that every thread
  // inherits the mask.
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  if (tls.enabled()) pthread_sigmask(SIG_BLOCK, &hup, nullptr);
  std::unique_ptr<ledger::tls::HttpListener> listener;
  std::thread metrics_thread;
  if (flags.count("metrics")) {
    const std::string& hp = flags["metrics"];
    size_t colon = hp.rfind(':');
    auto port = ledger::ParseDecimalU64(colon == std::string::npos ? "" : hp.substr(colon + 1));
    if (!port.ok() || *port > 65535) return Usage("--metrics HOST:PORT");
    auto made = ledger::tls::HttpListener::Create(tls, hp.substr(0, colon));
    if (!made.ok()) return Fail(made.status());
    listener = std::move(made).value();
    httplib::Server& metrics = listener->http();
    ledger::tls::HttpListener* l = listener.get();
    metrics.set_pre_routing_handler([l](const httplib::Request& req, httplib::Response& res) {
      Status s = l->CheckCredentials(req);
      if (s.ok()) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 403;
      res.set_content(s.reason() + "\n", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    });
    metrics.Get("/metrics", [&anchord](const httplib::Request&, httplib::Response& res) {
      res.set_content(anchord.Metrics(), ledger::prometheus::kContentType);
    });
    int bound = *port == 0 ? metrics.bind_to_any_port(hp.substr(0, colon))
                           : (metrics.bind_to_port(hp.substr(0, colon), static_cast<int>(*port))
                                  ? static_cast<int>(*port)
                                  : -1);
    if (bound <= 0) return Fail(Status::Unavailable("bind_failed", "cannot listen on " + hp));
    std::cout << "metrics on " << hp.substr(0, colon) << ":" << bound << std::endl;
    metrics_thread = std::thread([l] { l->http().listen_after_bind(); });
  }
  if (tls.enabled()) {
    std::thread([hup, l = listener.get()] {
      int sig = 0;
      while (sigwait(&hup, &sig) == 0) {
        Status s = l->Reload();
        std::cerr << "anchord: "
                  << (s.ok() ? "TLS certificate reloaded"
                             : "TLS certificate not reloaded, the previous one serves: " +
                                   s.ToString())
                  << "\n";
      }
    }).detach();
  }
  std::cout << "anchoring" << std::endl;
  anchord.Run(g_stop, std::chrono::milliseconds(*poll));
  if (listener) listener->http().stop();
  if (metrics_thread.joinable()) metrics_thread.join();
  return 0;
}
