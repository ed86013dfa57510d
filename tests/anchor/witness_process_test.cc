// The real `witness` binary on 127.0.0.1 (a free port), driven over HTTP:
// cosigning, refusals with the spec's status codes, and its state surviving
// kill -9.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "../support/child_process.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "witness_test_util.h"

namespace anchor::witness {
namespace {

namespace fs = std::filesystem;
using testing::TestLog;
namespace note = ledger::note;

// Runs a command with its stdout on a pipe; killed (SIGKILL) and reaped on
// destruction, so no process outlives a failing test.
using Process = ledger::testing::ChildProcess;

class WitnessProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("witness-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Process keygen({WITNESS_BIN, "keygen", "--name", "witness.example", "--out", Path("key")});
    witness_vkey_ = keygen.ReadLine();
    ASSERT_EQ(keygen.Wait(), 0);
    ASSERT_TRUE(note::ParseVerifierKey(witness_vkey_).ok()) << witness_vkey_;
  }
  void TearDown() override {
    witness_.reset();
    fs::remove_all(dir_);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts the witness on a free port and connects a client to it.
  void Start() {
    witness_.reset();
    witness_ = std::make_unique<Process>(std::vector<std::string>{
        WITNESS_BIN, "--listen", "127.0.0.1:0", "--data", Path("db"), "--name", "witness.example",
        "--key", Path("key"), "--log", log_.origin() + "=" + log_.vkey()});
    std::string line;
    for (int i = 0; i < 5 && !line.starts_with("listening on "); ++i) line = witness_->ReadLine();
    ASSERT_TRUE(line.starts_with("listening on 127.0.0.1:")) << line;
    int port = std::stoi(line.substr(std::string("listening on 127.0.0.1:").size()));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_read_timeout(10, 0);
  }

  httplib::Result Post(const std::string& body) {
    return client_->Post("/add-checkpoint", body, "text/plain");
  }

  void ExpectCosigned(const std::string& checkpoint, const httplib::Result& res) {
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    auto log_key = note::ParseVerifierKey(log_.vkey()).value();
    auto wit_key = note::ParseVerifierKey(witness_vkey_).value();
    const note::Verifier* witnesses[] = {wit_key.get()};
    auto v = ledger::VerifyCheckpoint(checkpoint + res->body, *log_key, witnesses, 1);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->cosignatures.size(), 1u);
    EXPECT_GT(v->cosignatures[0].timestamp, 1700000000u);
  }

  void ExpectStatus(const std::string& body, int status, const std::string& reply) {
    auto res = Post(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_EQ(res->body, reply);
  }

  fs::path dir_;
  TestLog log_{"example.com/log"};
  std::string witness_vkey_;
  std::unique_ptr<Process> witness_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WitnessProcessTest, CosignsAndRefusesPerTheSpec) {
  Start();
  ExpectCosigned(log_.Note(10), Post(log_.Body(0, 10)));
  ExpectCosigned(log_.Note(25), Post(log_.Body(10, 25)));

  auto older = Post(log_.Body(10, 10));
  ASSERT_TRUE(older);
  EXPECT_EQ(older->status, 409);
  EXPECT_EQ(older->body, "25\n");
  EXPECT_EQ(older->get_header_value("Content-Type"), "text/x.tlog.size");

  TestLog fork(log_.origin(), "fork ", 20);
  ExpectStatus(FormatAddCheckpoint({25, fork.Proof(25, 30), log_.Sign(fork.CheckpointAt(30))}),
               422, "inconsistent_proof\n");
  ExpectStatus(FormatAddCheckpoint({25, {}, log_.Sign(fork.CheckpointAt(25))}), 422,
               "root_mismatch\n");

  TestLog other("other.example/log");
  ExpectStatus(other.Body(0, 3), 404, "unknown_origin\n");
  TestLog impostor(log_.origin());
  ExpectStatus(impostor.Body(25, 30), 403, "unverified_checkpoint\n");
  std::string note = log_.Note(30);
  size_t sig = note.rfind(' ') + 10;
  note[sig] = note[sig] == 'A' ? 'B' : 'A';
  ExpectStatus(FormatAddCheckpoint({25, log_.Proof(25, 30), note}), 403, "bad_signature\n");
  ExpectStatus(FormatAddCheckpoint({31, {}, log_.Note(30)}), 400, "old_size_too_large\n");
  ExpectStatus("", 400, "malformed_request\n");
  ExpectStatus("old 25\n\n", 400, "malformed_request\n");
  ExpectStatus("old 25\nnot-base64\n\n" + log_.Note(30), 400, "malformed_request\n");
  ExpectStatus("old 25\n\nexample.com/log\n30\n", 400, "malformed_checkpoint\n");

  auto big = Post("old 25\n\n" + std::string(2 << 20, 'x'));
  if (big) {  // or the connection was closed: refused either way
    EXPECT_EQ(big->status, 413);
  }

  auto latest = client_->Get("/" + ledger::Sha256::Digest(log_.origin()).Hex() + "/checkpoint");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->status, 200);
  EXPECT_TRUE(latest->body.starts_with(log_.CheckpointAt(25).ToText()));
  auto unknown = client_->Get("/" + ledger::Sha256::Digest("nope").Hex() + "/checkpoint");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  // Still serving after all of that.
  ExpectCosigned(log_.Note(30), Post(log_.Body(25, 30)));
}

TEST_F(WitnessProcessTest, StateSurvivesKill9) {
  Start();
  ExpectCosigned(log_.Note(7), Post(log_.Body(0, 7)));
  ExpectCosigned(log_.Note(12), Post(log_.Body(7, 12)));
  witness_->Kill();  // SIGKILL right after the answer
  Start();
  ExpectStatus(log_.Body(7, 7), 409, "12\n");
  ExpectStatus(log_.Body(0, 7), 409, "12\n");
  ExpectCosigned(log_.Note(20), Post(log_.Body(12, 20)));
}

TEST_F(WitnessProcessTest, RefusesBadConfiguration) {
  Process no_log({WITNESS_BIN, "--listen", "127.0.0.1:0", "--data", Path("db"), "--name",
                  "witness.example", "--key", Path("key")});
  EXPECT_NE(no_log.Wait(), 0);
  Process again({WITNESS_BIN, "keygen", "--name", "witness.example", "--out", Path("key")});
  EXPECT_NE(again.Wait(), 0);  // never replaces a key
  fs::permissions(Path("key"), fs::perms::group_read, fs::perm_options::add);
  Process loose({WITNESS_BIN, "--listen", "127.0.0.1:0", "--data", Path("db"), "--name",
                 "witness.example", "--key", Path("key"), "--log",
                 log_.origin() + "=" + log_.vkey()});
  EXPECT_NE(loose.Wait(), 0);  // a key readable by others is refused
}

}  // namespace
}  // namespace anchor::witness
