// Runs the quorum ceremony of ops/demo (ledgerctl in-process), a notary
// enclave on the sim platform and ledgerd on a free 127.0.0.1 port, as real
// processes that are killed when the suite ends, pass or fail.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../support/child_process.h"
#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/cli/ledgerctl.h"
#include "ledger/codec/event_json.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"

namespace ledger::ledgerd::testing {

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using Process = ledger::testing::ChildProcess;

struct CtlResult {
  int code;
  std::string out, err;
};

inline CtlResult Ctl(std::vector<std::string> args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = cli::RunLedgerctl(args, in, out, err);
  return {code, out.str(), err.str()};
}

inline std::string Sha384Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha384(), nullptr);
  return HexEncode(ByteView(md, len));
}

// A KEY_CREATED event (JSON form) with event and request ids from `id`.
inline nlohmann::json SampleEvent(const std::string& id) {
  return {{"kind", "KEY_CREATED"},
          {"event_id", "evt-" + id},
          {"request_id", "req-" + id},
          {"occurred_at", "2024-05-01T09:00:00Z"},
          {"actor", {{"id", "user/alice"}}},
          {"subject", "key/" + id},
          {"outcome", "SUCCESS"}};
}

// The deployment: dir/, a provisioned notary, a log made by init --notary.
struct Deployment {
  std::filesystem::path dir;
  std::unique_ptr<Process> notary;
  std::unique_ptr<note::Signer> submitter;  // the policy's submitter
  std::string origin = "ledger.test/ledgerd";
  std::string dir_prefix = "ledgerd-test";  // the directory's prefix
  // What the policy's submitter may append.
  std::string submitter_kinds =
      "KEY_CREATED,KEY_IMPORTED,KEY_ROTATED,KEY_EXPORTED,KEY_RETIRED,SIGNATURE_PRODUCED";
  // The subject prefixes it may name ("": every subject but the notary's).
  std::string submitter_subjects;
  std::string vkey;
  // Witnesses named in the manifest (set before Create); witness_quorum of
  // their cosignatures are required.
  int witness_count = 0;
  int witness_quorum = 0;
  std::vector<std::string> witness_vkeys;
  std::vector<std::unique_ptr<Process>> witnesses;
  std::vector<int> witness_ports;
  // Extra `ledgerctl manifest create` flags (e.g. --chain-id, --registry).
  std::vector<std::string> manifest_extra;
  // What `ledgerctl notary provision --json` printed last (registry key...).
  std::string provision_out;
  // When set (before Create): ledgerd's own submitter key ("ledgerd.host",
  // host.key) is admitted by the manifest for these kinds, for --host-key,
  // on the subjects ledgerd writes (EXPORT_CREATED, VERIFICATION_RUN).
  std::string host_kinds;
  std::string host_subjects = "export/,verification/";
  // When set (before Create; a manifest naming a registry needs it): the
  // token anchord presents for POST /v1/anchor/statement. Create writes
  // ledgerd's --anchor-tokens file ("anchor-tokens", AnchorFlags) with its
  // digest and anchord's token file ("anchord.token", mode 0600).
  std::string anchor_name = "anchord";
  std::string anchor_token;
  // Extra `ledgerctl init` flags (e.g. --store-postgres CONNINFO).
  std::vector<std::string> init_extra;

  std::string P(const std::string& name) const { return (dir / name).string(); }

  // A POST /v1/entries body of `n` sample events "<tag>0".. stamped by the
  // policy's submitter.
  nlohmann::json StampedBatch(const std::string& tag, int n) const {
    nlohmann::json batch = {{"entries", nlohmann::json::array()}};
    for (int i = 0; i < n; ++i) {
      nlohmann::json event = SampleEvent(tag + std::to_string(i));
      auto e = codec::EventFromJsonValue(event);
      auto bytes = e.ok() ? EncodeEvent(*e) : Result<Bytes>(e.status());
      auto stamp = bytes.ok() ? MakeStamp(origin, *bytes, *submitter) : Result<Bytes>(bytes.status());
      EXPECT_TRUE(stamp.ok()) << stamp.status();
      batch["entries"].push_back({{"event", event}, {"stamp", stamp.ok() ? Base64Encode(*stamp) : ""}});
    }
    return batch;
  }

  // ASSERTs through gtest; call from SetUpTestSuite and check HasFatalFailure.
  void Create() {
    dir = std::filesystem::temp_directory_path() /
          (dir_prefix + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    if (!anchor_token.empty()) {
      std::ofstream(P("anchor-tokens"))
          << anchor_name << ":" << Sha256::Digest(anchor_token).Hex() << "\n";
      std::ofstream(P("anchord.token")) << anchor_name << ":" << anchor_token << "\n";
      ::chmod(P("anchord.token").c_str(), 0600);
    }
    ASSERT_EQ(Ctl({"dev-pki", "--out", P("pki")}).code, 0);
    for (const char* op : {"alice", "bob", "carol"}) {
      ASSERT_EQ(Ctl({"operator-key", "--out", P(std::string(op) + ".key")}).code, 0);
    }
    std::vector<std::string> ops = {"--operator", "alice=" + P("alice.key.pub"), "--operator",
                                    "bob=" + P("bob.key.pub"), "--operator",
                                    "carol=" + P("carol.key.pub")};
    std::vector<std::string> genesis = {"quorum", "genesis", "--threshold", "2", "--out",
                                        P("quorum")};
    genesis.insert(genesis.end(), ops.begin(), ops.end());
    ASSERT_EQ(Ctl(genesis).code, 0);
    // The submitter key, known to the test for stamping.
    auto key = Ed25519PrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    Bytes seed = key->ExportSeed();
    {
      std::ofstream(P("submitter.key")) << "kms.frontend\ned25519\n" << HexEncode(seed) << "\n";
    }
    ::chmod(P("submitter.key").c_str(), 0600);
    submitter = note::NewEd25519Signer("kms.frontend", std::move(*key));
    const std::string& kinds = submitter_kinds;
    std::vector<std::string> manifest = {
        "manifest",     "create",
        "--origin",     origin,
        "--pcr0",       Sha384Hex(Slurp(NOTARY_ENCLAVE_BIN)),
        "--threshold",  "2",
        "--quorum-pub", P("quorum/quorum.pub"),
        "--submitter",  "kms.frontend=" + submitter->VerifierKey() + ":" + kinds,
        "--subjects",   "kms.frontend=" + submitter_subjects,
        "--out",        P("manifest.bin")};
    manifest.insert(manifest.end(), ops.begin(), ops.end());
    if (!host_kinds.empty()) {
      auto host_key = Ed25519PrivateKey::Generate();
      ASSERT_TRUE(host_key.ok());
      {
        std::ofstream(P("host.key")) << "ledgerd.host\ned25519\n"
                                     << HexEncode(host_key->ExportSeed()) << "\n";
      }
      ::chmod(P("host.key").c_str(), 0600);
      auto host_signer = note::NewEd25519Signer("ledgerd.host", std::move(*host_key));
      manifest.insert(
          manifest.end(),
          {"--submitter", "ledgerd.host=" + host_signer->VerifierKey() + ":" + host_kinds,
           "--subjects", "ledgerd.host=" + host_subjects});
    }
    for (int i = 0; i < witness_count; ++i) {
      Process keygen({WITNESS_BIN, "keygen", "--name", WitnessName(i), "--out",
                      P("witness" + std::to_string(i) + ".key")});
      witness_vkeys.push_back(keygen.ReadLine());
      ASSERT_EQ(keygen.Wait(), 0);
      manifest.insert(manifest.end(), {"--witness", witness_vkeys.back()});
    }
    if (witness_quorum > 0) {
      manifest.insert(manifest.end(), {"--witness-quorum", std::to_string(witness_quorum)});
    }
    manifest.insert(manifest.end(), manifest_extra.begin(), manifest_extra.end());
    auto mc = Ctl(manifest);
    ASSERT_EQ(mc.code, 0) << mc.err;
    for (const char* op : {"alice", "bob"}) {
      ASSERT_EQ(Ctl({"manifest", "approve", "--key", P(std::string(op) + ".key"), "--name", op,
                     P("manifest.bin"), "--out", P(std::string(op) + ".approval")})
                    .code,
                0);
    }
    StartNotary();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    vkey = Slurp(P("log.vkey"));
    while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
    witnesses.resize(witness_count);
    witness_ports.assign(witness_count, 0);
    for (int i = 0; i < witness_count; ++i) {
      StartWitness(i);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
    std::vector<std::string> init_args = {
        "init",           "--data",          P("log"),           "--notary",
        P("notary.sock"), "--vkey",          P("log.vkey"),      "--submitter-key",
        P("submitter.key"), "--manifest",    P("manifest.bin")};
    init_args.insert(init_args.end(), init_extra.begin(), init_extra.end());
    auto init = Ctl(init_args);
    ASSERT_EQ(init.code, 0) << init.err;
    vkey = Slurp(P("log.vkey"));
    while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
  }

  // Starts and provisions a notary instance (again after a kill).
  void StartNotary() { StartNotaryAt(notary, "notary.sock"); }

  // Starts and provisions a notary instance on socket `sock` (under dir), as
  // the ceremony does for each instance it provisions (a standby too).
  void StartNotaryAt(std::unique_ptr<Process>& slot, const std::string& sock) {
    std::filesystem::remove(P(sock));
    slot = std::make_unique<Process>(
        std::vector<std::string>{NOTARY_ENCLAVE_BIN, "--socket", P(sock), "--sim-pki", P("pki")},
        P(sock + ".log"));
    // Until it accepts connections (the socket file appears at bind, before
    // listen). Generous: ctest runs suites in parallel on a loaded machine.
    bool up = false;
    for (int i = 0; i < 600 && !(up = Accepts(P(sock))); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(up) << "the notary does not accept connections on " << P(sock);
    for (const char* op : {"alice", "bob"}) {
      auto r = Ctl({"quorum", "provision", "--socket", P(sock), "--manifest",
                    P("manifest.bin"), "--root", P("pki/root.pem"), "--key",
                    P(std::string(op) + ".key"), "--share", P("quorum/" + std::string(op) + ".share"),
                    "--out", P(std::string(op) + ".resealed")});
      ASSERT_EQ(r.code, 0) << r.err;
    }
    auto r = Ctl({"notary", "provision", "--socket", P(sock), "--manifest",
                  P("manifest.bin"), "--approval", P("alice.approval"), "--approval",
                  P("bob.approval"), "--share", P("alice.resealed"), "--share",
                  P("bob.resealed"), "--vkey-out", P("log.vkey"), "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    provision_out = r.out;
  }

  static std::string WitnessName(int i) { return "witness-" + std::to_string(i) + ".test"; }
  std::string WitnessDb(int i) const { return P("witness" + std::to_string(i) + "-db"); }

  // Starts witness i on its data (a free port the first time, the same port
  // after a restart, so ledgerd's configuration stays valid).
  void StartWitness(int i) {
    const std::string listen = "127.0.0.1:" + std::to_string(witness_ports[i]);
    witnesses[i] = std::make_unique<Process>(
        std::vector<std::string>{WITNESS_BIN, "--listen", listen, "--data", WitnessDb(i), "--name",
                                 WitnessName(i), "--key", P("witness" + std::to_string(i) + ".key"),
                                 "--log", origin + "=" + vkey},
        P("witness" + std::to_string(i) + ".log"));
    ASSERT_EQ(witnesses[i]->ReadLine(), "witness " + witness_vkeys[i]);
    const std::string line = witnesses[i]->ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
    witness_ports[i] = std::stoi(line.substr(prefix.size()));
  }
  void StopWitness(int i) { witnesses[i].reset(); }

  // --witness flags for ledgerd: every witness, or those in `which`.
  std::vector<std::string> WitnessFlags(std::vector<int> which = {}) const {
    if (which.empty()) {
      for (int i = 0; i < witness_count; ++i) which.push_back(i);
    }
    std::vector<std::string> out;
    for (int i : which) {
      out.insert(out.end(), {"--witness", WitnessName(i) + "=http://127.0.0.1:" +
                                              std::to_string(witness_ports[i])});
    }
    return out;
  }

  // --anchor-tokens for ledgerd (anchor_token set before Create).
  std::vector<std::string> AnchorFlags() const { return {"--anchor-tokens", P("anchor-tokens")}; }

  static bool Accepts(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  // Starts ledgerd (with `env`: "NAME=VALUE" extra variables); returns its
  // port (0 on failure).
  int StartLedgerd(std::unique_ptr<Process>& out, std::vector<std::string> extra = {},
                   std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {LEDGERD_BIN, "--data", P("log"), "--listen",
                                     "127.0.0.1:0", "--max-delay-ms", "20"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    out = std::make_unique<Process>(argv, P("ledgerd.log"), std::move(env));
    std::string line = out->ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) return 0;
    return std::stoi(line.substr(prefix.size()));
  }

  void Destroy() {
    notary.reset();
    witnesses.clear();
    if (!dir.empty() && !::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
  }
};

}  // namespace ledger::ledgerd::testing
