// The real notary-enclave binary on a temporary Unix socket, driven through
// ledger::notary_client: boot proof, provisioning, genesis, appends, then
// SIGKILL, restart, re-provisioning, and the same log continued.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sys/wait.h>
#include <thread>
#include <vector>
#include <unistd.h>

#include "host_log.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/notary_client/notary_client.h"
#include "ledger/note/checkpoint.h"
#include "notary/app_proof.h"
#include "notary_test_util.h"
#include "platform/sim_platform.h"

namespace notary::testing {
namespace {

namespace fs = std::filesystem;
using ledger::notary_client::NotaryClient;

class NotaryProcess {
 public:
  NotaryProcess(const std::string& socket, const std::string& pki) {
    pid_ = ::fork();
    if (pid_ == 0) {
      // Two verification threads: the binary's pool is on the path of every
      // append these tests make.
      ::execl(NOTARY_ENCLAVE_BIN, NOTARY_ENCLAVE_BIN, "--socket", socket.c_str(), "--sim-pki",
              pki.c_str(), "--verify-threads", "2", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~NotaryProcess() { Kill(); }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// The exit status of the binary run with `args` (it must refuse them).
int ExitStatusOf(std::vector<const char*> args) {
  args.insert(args.begin(), NOTARY_ENCLAVE_BIN);
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(NOTARY_ENCLAVE_BIN, const_cast<char* const*>(args.data()));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(NotaryProcessArgs, AVerifyThreadCountOutOfRangeIsBadUsage) {
  for (const char* bad : {"0", "257", "-1", "2x", ""}) {
    EXPECT_EQ(ExitStatusOf({"--socket", "/nonexistent/s", "--sim-pki", "/nonexistent",
                            "--verify-threads", bad}),
              2)
        << bad;
  }
}

std::unique_ptr<NotaryClient> ConnectWhenUp(const std::string& socket) {
  for (int i = 0; i < 200; ++i) {
    auto c = NotaryClient::Connect(socket);
    if (c.ok()) return std::move(c).value();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return nullptr;
}

class NotaryProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("notary-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "pki");
    pki_.emplace(ledger::CreateDevPki().value());
    auto pem = ledger::DevPkiToPem(*pki_).value();
    std::ofstream(dir_ / "pki" / ledger::kDevPkiRootFile) << pem.root;
    std::ofstream(dir_ / "pki" / ledger::kDevPkiIntermediateFile) << pem.intermediate;
    std::ofstream(dir_ / "pki" / ledger::kDevPkiLeafFile) << pem.leaf;
    std::ofstream(dir_ / "pki" / ledger::kDevPkiLeafKeyFile) << pem.leaf_key;
    pcr0_ = SimPlatform::Sha384File(NOTARY_ENCLAVE_BIN).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Checks the boot proof as an operator would, then provisions.
  std::string BootAndProvision(NotaryClient& client, const Ceremony& c) {
    auto proof = client.GetBootProof(c.manifest_bytes);
    EXPECT_TRUE(proof.ok()) << proof.status();
    ledger::AttestationPolicy policy;
    policy.root_der = pki_->root_der;
    policy.expected_pcrs[0] = pcr0_;
    policy.expected_user_data = ledger::Bytes(c.digest.bytes.begin(), c.digest.bytes.end());
    auto verified = ledger::VerifyAttestation(proof->attestation, policy);
    EXPECT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(verified->public_key, proof->ephemeral_public_key);
    ephemeral_ = proof->ephemeral_public_key;
    auto shares = c.SharesFor(verified->public_key, 2, c.digest);
    auto provisioned = client.Provision(c.manifest_bytes, c.Approvals(2), shares);
    EXPECT_TRUE(provisioned.ok()) << provisioned.status();
    return provisioned.ok() ? provisioned->log_vkey : "";
  }

  void Check(const ledger::notary_client::Sequenced& s, const ledger::note::Verifier& log) {
    auto cp = ledger::VerifyCheckpoint(s.batch.checkpoint_note, log);
    ASSERT_TRUE(cp.ok()) << cp.status();
    EXPECT_EQ(cp->checkpoint.size, host_.size());
    EXPECT_EQ(cp->checkpoint.root, host_.Root());
    EXPECT_EQ(s.app_proof.public_key, ephemeral_);
    EXPECT_TRUE(VerifyAppProof(s.batch.checkpoint_note, s.batch.first_index,
                               s.batch.leaves.size(), ledger::AsBytes(s.app_proof.payload),
                               s.app_proof.signature, ephemeral_)
                    .ok());
  }

  void Add(const ledger::notary_client::Sequenced& s) {
    pb::Sequenced p;
    for (const auto& leaf : s.batch.leaves) p.add_leaves(std::string(ledger::AsString(leaf)));
    p.set_checkpoint_note(s.batch.checkpoint_note);
    host_.Add(p);
  }

  void AppendBatches(NotaryClient& client, const Ceremony& c, const ledger::note::Verifier& log,
                     uint64_t first_event) {
    for (size_t n : {1, 10, 100}) {
      std::vector<ledger::SubmittedEvent> events;
      for (size_t i = 0; i < n; ++i) events.push_back(c.Stamped(first_event++));
      auto r = client.Append(host_.size(), host_.Root(), events);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->batch.first_index, host_.size());
      Add(*r);
      Check(*r, log);
    }
  }

  fs::path dir_;
  std::optional<ledger::DevPki> pki_;
  ledger::Bytes pcr0_, ephemeral_;
  HostLog host_;
};

TEST_F(NotaryProcessTest, ServesSurvivesSigkillAndContinuesTheSameLog) {
  const std::string socket = (dir_ / "notary.sock").string();
  Ceremony c = Ceremony::Make("example.com/process-test", pcr0_);
  std::string vkey;
  {
    NotaryProcess notary(socket, (dir_ / "pki").string());
    auto client = ConnectWhenUp(socket);
    ASSERT_NE(client, nullptr);
    vkey = BootAndProvision(*client, c);
    auto log = ledger::note::ParseVerifierKey(vkey).value();
    // Append before a head is restored is refused, as an Error with its reason.
    auto early = client->Append(0, ledger::merkle::EmptyRoot(), std::vector{c.Stamped(0)});
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.status().reason(), "not_serving");
    auto boot = client->Genesis();
    ASSERT_TRUE(boot.ok()) << boot.status();
    ASSERT_TRUE(boot->has_value());
    Add(**boot);
    Check(**boot, *log);
    AppendBatches(*client, c, *log, 0);
    EXPECT_EQ(host_.size(), 112u);
    notary.Kill();  // SIGKILL: no goodbye
  }
  NotaryProcess notary(socket, (dir_ / "pki").string());
  auto client = ConnectWhenUp(socket);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(BootAndProvision(*client, c), vkey);  // same quorum, same log key
  auto log = ledger::note::ParseVerifierKey(vkey).value();
  auto head = host_.Head();
  ledger::notary_client::Head h;
  h.checkpoint_note = head.checkpoint_note();
  for (const auto& f : head.frontier()) h.frontier.push_back(ledger::Hash::FromBytes(ledger::AsBytes(f)).value());
  h.last_leaf = ledger::ToBytes(head.last_leaf());
  for (const auto& p : head.last_leaf_proof()) h.last_leaf_proof.push_back(ledger::Hash::FromBytes(ledger::AsBytes(p)).value());
  auto boot = client->Restore(h);
  ASSERT_TRUE(boot.ok()) << boot.status();
  ASSERT_TRUE(boot->has_value());
  Add(**boot);
  Check(**boot, *log);
  AppendBatches(*client, c, *log, 1000);
  EXPECT_EQ(host_.size(), 224u);
  auto status = client->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->size(), 224u);
}

}  // namespace
}  // namespace notary::testing
