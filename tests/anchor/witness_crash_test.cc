// The witness killed with SIGKILL at each crash point of add-checkpoint
// (LEDGER_CRASH_AT, ledger/testing/crash_point.h): after a restart it is exactly as
// new as what it persisted — never older than a cosignature it may have
// released, never newer than what it verified — the log's retry converges,
// and it still refuses a checkpoint inconsistent with what it holds.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../support/child_process.h"
#include "ledger/base/hash.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "witness_test_util.h"

namespace anchor::witness {
namespace {

namespace fs = std::filesystem;
using Process = ledger::testing::ChildProcess;
using testing::TestLog;

struct PointCase {
  const char* point;
  bool persisted;  // the crash comes after the synced write
};

class WitnessCrashTest : public ::testing::TestWithParam<PointCase> {
 protected:
  void SetUp() override {
    std::string name = GetParam().point;
    for (char& c : name) c = c == '.' ? '_' : c;
    dir_ = fs::temp_directory_path() /
           ("witness-crash-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Process keygen({WITNESS_BIN, "keygen", "--name", "witness.crash", "--out", Path("key")});
    vkey_ = keygen.ReadLine();
    ASSERT_EQ(keygen.Wait(), 0);
  }
  void TearDown() override {
    witness_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string Path(const std::string& n) const { return (dir_ / n).string(); }

  void Start(std::vector<std::string> env = {}) {
    witness_ = std::make_unique<Process>(
        std::vector<std::string>{WITNESS_BIN, "--listen", "127.0.0.1:0", "--data", Path("db"),
                                 "--name", "witness.crash", "--key", Path("key"), "--log",
                                 log_.origin() + "=" + log_.vkey()},
        Path("witness.log"), std::move(env));
    std::string line;
    for (int i = 0; i < 5 && !line.starts_with("listening on "); ++i) line = witness_->ReadLine();
    ASSERT_TRUE(line.starts_with("listening on 127.0.0.1:")) << line;
    client_ = std::make_unique<httplib::Client>(
        "127.0.0.1", std::stoi(line.substr(std::string("listening on 127.0.0.1:").size())));
    client_->set_read_timeout(10, 0);
  }
  httplib::Result Post(const std::string& body) {
    return client_->Post("/add-checkpoint", body, "text/plain");
  }
  uint64_t LatestSize() {
    auto r = client_->Get("/" + ledger::Sha256::Digest(log_.origin()).Hex() + "/checkpoint");
    if (!r || r->status != 200) return 0;
    auto parsed = ledger::note::Parse(r->body);
    if (!parsed.ok()) return 0;
    auto cp = ledger::Checkpoint::FromText(parsed->text);
    return cp.ok() ? cp->size : 0;
  }

  fs::path dir_;
  std::string vkey_;
  TestLog log_{"example.com/crash"};
  std::unique_ptr<Process> witness_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_P(WitnessCrashTest, RestartsAsNewAsWhatItPersisted) {
  Start();
  ASSERT_FALSE(HasFatalFailure());
  auto r = Post(log_.Body(0, 5));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  witness_.reset();  // SIGKILL, between requests: loses nothing answered

  // The second add-checkpoint dies at the point: the log sees no answer.
  Start({"LEDGER_CRASH_AT=" + std::string(GetParam().point)});
  ASSERT_FALSE(HasFatalFailure());
  r = Post(log_.Body(5, 9));
  EXPECT_FALSE(r && r->status == 200) << "answered despite the crash point";
  EXPECT_EQ(witness_->Wait(), -1) << "the witness did not die at " << GetParam().point;

  Start();
  ASSERT_FALSE(HasFatalFailure());
  const uint64_t expected = GetParam().persisted ? 9 : 5;
  EXPECT_EQ(LatestSize(), expected);
  // A checkpoint of the persisted size with another root: refused. (A fork
  // after the crash, e.g. a log that re-signed size 9 differently.)
  ledger::Checkpoint other = log_.CheckpointAt(9);
  other.root = ledger::Sha256::Digest("another tree of size 9");
  r = Post(FormatAddCheckpoint({expected, {}, log_.Sign(other)}));
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400) << r->body;
  EXPECT_EQ(LatestSize(), expected);

  // The log retries as C2SP says: on 409 it learns the witness's size and
  // sends a proof from there. Either way it converges on size 9, then 12.
  r = Post(log_.Body(5, 9));
  ASSERT_TRUE(r);
  if (GetParam().persisted) {
    EXPECT_EQ(r->status, 409);
    EXPECT_EQ(r->body, "9\n");
    r = Post(log_.Body(9, 9));
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = Post(log_.Body(9, 12));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(LatestSize(), 12u);
}

INSTANTIATE_TEST_SUITE_P(Points, WitnessCrashTest,
                         ::testing::Values(PointCase{"witness.after_verify", false},
                                           PointCase{"witness.before_persist", false},
                                           PointCase{"witness.after_persist", true},
                                           PointCase{"witness.before_reply", true}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.point;
                           for (char& c : n) c = c == '.' ? '_' : c;
                           return n;
                         });

}  // namespace
}  // namespace anchor::witness
