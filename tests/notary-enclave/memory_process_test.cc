// The real notary-enclave binary under an address-space limit (RLIMIT_AS, what
// `ulimit -v` sets): a 64 MiB frame of 33 million empty events, sent before
// any authentication and again while serving, is refused without the
// gigabytes it once took; a request that does not fit the limit is answered
// out_of_memory; and each time the notary goes on serving.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "host_log.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/notary_client/notary_client.h"
#include "notary/frame.h"
#include "notary_test_util.h"
#include "platform/sim_platform.h"

namespace notary::testing {
namespace {

namespace fs = std::filesystem;
namespace pb = ledger::v1::notary;
using ledger::Bytes;
using ledger::notary_client::NotaryClient;

constexpr uint64_t kMiB = uint64_t{1} << 20;

// The documented bound (README "Memory"): the process image plus four
// 64 MiB frames, rounded up.
constexpr uint64_t kNotaryAddressSpace = 512 * kMiB;

class NotaryProcess {
 public:
  // address_space > 0: the notary runs under that RLIMIT_AS.
  NotaryProcess(const std::string& socket, const std::string& pki, uint64_t address_space) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (address_space > 0) {
        rlimit limit{address_space, address_space};
        if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(126);
      }
      ::execl(NOTARY_ENCLAVE_BIN, NOTARY_ENCLAVE_BIN, "--socket",
              socket.c_str(), "--sim-pki", pki.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~NotaryProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  bool Alive() const { return ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  // A "Vm...:" line of /proc/<pid>/status, in bytes.
  uint64_t Memory(const std::string& field) const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
    }
    return 0;
  }
  // Sets the running notary's soft RLIMIT_AS (prlimit on a child; the hard
  // limit stays, so that it can be raised again).
  bool Limit(uint64_t address_space) const {
    rlimit limit{address_space, RLIM_INFINITY};
    return ::prlimit(pid_, RLIMIT_AS, &limit, nullptr) == 0;
  }

 private:
  pid_t pid_ = -1;
};

// A raw connection, for frames no client would send.
class Raw {
 public:
  explicit Raw(const std::string& socket) {
    for (int i = 0; i < 200 && fd_ < 0; ++i) {
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      socket.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
        fd_ = fd;
      } else {
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    }
  }
  ~Raw() { ::close(fd_); }
  ledger::Result<pb::NotaryResponse> Call(ledger::ByteView frame) {
    RETURN_IF_ERROR(frame::WriteAll(fd_, frame));
    ASSIGN_OR_RETURN(Bytes body, frame::ReadBody(fd_));
    return frame::DecodeResponseBody(body);
  }
  ledger::Result<pb::NotaryResponse> Call(const pb::HostRequest& request) {
    ASSIGN_OR_RETURN(Bytes f, frame::EncodeRequest(request));
    return Call(f);
  }
  ledger::Result<pb::NotaryResponse> GetStatus() {
    pb::HostRequest r;
    r.mutable_get_status();
    return Call(r);
  }

 private:
  int fd_ = -1;
};

void AppendVarint(std::string& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7f) | 0x80));
  out.push_back(static_cast<char>(v));
}

// HostRequest { append { events: n × {} } } as one frame, written directly
// (building it with protobuf would take the gigabytes the notary must not).
Bytes EmptyEventsFrame(size_t n) {
  std::string payload("\x2a", 1);  // field 5 (append), length-delimited
  AppendVarint(payload, 2 * n);
  payload.reserve(payload.size() + 2 * n);
  for (size_t i = 0; i < n; ++i) payload.append("\x1a\x00", 2);  // field 3 (events), empty
  Bytes out;
  ledger::AppendU32BE(out, static_cast<uint32_t>(payload.size() + 1));
  ledger::AppendU8(out, frame::kVersion);
  ledger::Append(out, payload);
  return out;
}

// The review's frame: 33,554,000 empty events, 67,108,010 bytes.
constexpr size_t kHugeCount = 33'554'000;

std::string Reason(const ledger::Result<pb::NotaryResponse>& r) {
  if (!r.ok()) return "transport: " + r.status().ToString();
  return r->has_error() ? r->error().reason() : "answered";
}

class NotaryMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("notary-memory-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "pki");
    pki_.emplace(ledger::CreateDevPki().value());
    auto pem = ledger::DevPkiToPem(*pki_).value();
    std::ofstream(dir_ / "pki" / ledger::kDevPkiRootFile) << pem.root;
    std::ofstream(dir_ / "pki" / ledger::kDevPkiIntermediateFile) << pem.intermediate;
    std::ofstream(dir_ / "pki" / ledger::kDevPkiLeafFile) << pem.leaf;
    std::ofstream(dir_ / "pki" / ledger::kDevPkiLeafKeyFile) << pem.leaf_key;
    pcr0_ = SimPlatform::Sha384File(NOTARY_ENCLAVE_BIN).value();
    socket_ = (dir_ / "notary.sock").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Pki() const { return (dir_ / "pki").string(); }

  // Provisions, starts a new log and appends one event through the client.
  void ProvisionAndServe(const Ceremony& c) {
    auto client = NotaryClient::Connect(socket_);
    for (int i = 0; i < 200 && !client.ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      client = NotaryClient::Connect(socket_);
    }
    ASSERT_TRUE(client.ok()) << client.status();
    auto proof = (*client)->GetBootProof(c.manifest_bytes);
    ASSERT_TRUE(proof.ok()) << proof.status();
    auto shares = c.SharesFor(proof->ephemeral_public_key, 2, c.digest);
    ASSERT_TRUE((*client)->Provision(c.manifest_bytes, c.Approvals(2), shares).ok());
    auto boot = (*client)->Genesis();
    ASSERT_TRUE(boot.ok()) << boot.status();
    Add(**boot);
    AppendOne(**client, c);
  }
  void AppendOne(NotaryClient& client, const Ceremony& c) {
    auto r = client.Append(host_.size(), host_.Root(), std::vector{c.Stamped(host_.size())});
    ASSERT_TRUE(r.ok()) << r.status();
    Add(*r);
  }
  void Add(const ledger::notary_client::Sequenced& s) {
    pb::Sequenced p;
    for (const auto& leaf : s.batch.leaves) p.add_leaves(std::string(ledger::AsString(leaf)));
    p.set_checkpoint_note(s.batch.checkpoint_note);
    host_.Add(p);
  }

  fs::path dir_;
  std::string socket_;
  std::optional<ledger::DevPki> pki_;
  Bytes pcr0_;
  HostLog host_;
};

TEST_F(NotaryMemoryTest, TheHugeFrameIsRefusedUnderTheLimitAndTheNotaryKeepsServing) {
  NotaryProcess notary(socket_, Pki(), kNotaryAddressSpace);
  const Bytes huge = EmptyEventsFrame(kHugeCount);
  ASSERT_EQ(huge.size(), 67'108'010u);
  {
    // Before any authentication: refused by count, and the same connection
    // is answered next.
    Raw raw(socket_);
    EXPECT_EQ(Reason(raw.Call(huge)), "too_many_elements");
    auto status = raw.GetStatus();
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(status->status().state(), pb::StatusInfo::BOOTED);
  }
  Ceremony c = Ceremony::Make("example.com/memory-test", pcr0_);
  ProvisionAndServe(c);
  {
    // While serving (where the append path once reserved 33 million slots).
    Raw raw(socket_);
    EXPECT_EQ(Reason(raw.Call(huge)), "too_many_elements");
    EXPECT_EQ(raw.GetStatus()->status().state(), pb::StatusInfo::SERVING);
  }
  auto client = NotaryClient::Connect(socket_);
  ASSERT_TRUE(client.ok());
  AppendOne(**client, c);
  ASSERT_TRUE(notary.Alive());
  // The frame cost its own bytes, not gigabytes (2.4 GB before the limits).
  EXPECT_LT(notary.Memory("VmHWM"), 192 * kMiB);
}

TEST_F(NotaryMemoryTest, AFullBatchFitsTheDocumentedBound) {
  NotaryProcess notary(socket_, Pki(), kNotaryAddressSpace);
  Ceremony c = Ceremony::Make("example.com/memory-test", pcr0_);
  ProvisionAndServe(c);
  // kMaxAppendEvents events with the largest attribute value: the largest
  // batch the default policy admits in one frame (about 43 MiB).
  std::vector<ledger::SubmittedEvent> events;
  for (size_t i = 0; i < frame::kMaxAppendEvents; ++i) {
    events.push_back(c.Stamped(host_.size() + i, ledger::kMaxEventStringSize));
  }
  auto client = NotaryClient::Connect(socket_);
  ASSERT_TRUE(client.ok());
  auto r = (*client)->Append(host_.size(), host_.Root(), events);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->batch.leaves.size(), frame::kMaxAppendEvents);
  const uint64_t peak = notary.Memory("VmHWM");
  std::printf("full batch: VmHWM %llu MiB, VmPeak %llu MiB\n",
              static_cast<unsigned long long>(peak / kMiB),
              static_cast<unsigned long long>(notary.Memory("VmPeak") / kMiB));
  EXPECT_LT(peak, kNotaryAddressSpace);
  ASSERT_TRUE(notary.Alive());
}

TEST_F(NotaryMemoryTest, ARequestThatDoesNotFitIsAnsweredOutOfMemory) {
  NotaryProcess notary(socket_, Pki(), 0);
  {
    Raw raw(socket_);
    ASSERT_TRUE(raw.GetStatus().ok());  // up
  }
  // Room for a 40 MiB body and its parse, not for the canonical-form check's
  // second copy: the allocation fails inside the request.
  ASSERT_TRUE(notary.Limit(notary.Memory("VmSize") + 96 * kMiB));
  pb::HostRequest big;
  big.mutable_get_boot_proof()->set_manifest(std::string(40 * kMiB, 'm'));
  Ceremony c = Ceremony::Make("example.com/memory-test", pcr0_);
  {
    Raw raw(socket_);
    EXPECT_EQ(Reason(raw.Call(big)), "out_of_memory");
    auto status = raw.GetStatus();  // the same connection goes on
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(status->status().state(), pb::StatusInfo::BOOTED);
  }
  {
    // A body the notary cannot even hold: answered, then the connection
    // (out of step) is dropped.
    Raw raw(socket_);
    Bytes prefix;
    ledger::AppendU32BE(prefix, static_cast<uint32_t>(frame::kMaxFrameBody));
    ASSERT_TRUE(notary.Limit(notary.Memory("VmSize") + 32 * kMiB));
    EXPECT_EQ(Reason(raw.Call(prefix)), "out_of_memory");
  }
  ASSERT_TRUE(notary.Limit(notary.Memory("VmSize") + 256 * kMiB));
  ProvisionAndServe(c);
  ASSERT_TRUE(notary.Alive());
}

}  // namespace
}  // namespace notary::testing
