// A stamped event is sequenced at most once for the life of the log
// (schemas/formats/map.md §5a), with real processes as ops/demo runs them:
// the same JSON line without a request id, appended again after a notary
// restart, is refused by ledgerctl; posted to ledgerd it is an idempotent
// retry that returns the original receipt; the notary's own ENCLAVE_BOOTED
// entry of an earlier boot is refused; and verify store finds one entry.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/codec/event_json.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

class LedgerdReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deployment_.dir_prefix = "ledgerd-replay";
    deployment_.Create();
  }
  void TearDown() override {
    ledgerd_.reset();
    deployment_.Destroy();
  }
  // What ops/demo step 10 does: kill the notary, start and provision another.
  void RestartNotary() {
    deployment_.notary.reset();
    deployment_.StartNotary();
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  // The entry as ledgerctl stamps it: the same canonical bytes, the same
  // (deterministic Ed25519) stamp.
  nlohmann::json Entry(const nlohmann::json& event) const {
    auto bytes = EncodeEvent(codec::EventFromJsonValue(event).value()).value();
    auto stamp = MakeStamp(deployment_.origin, bytes, *deployment_.submitter).value();
    return {{"event", event}, {"stamp", Base64Encode(stamp)}};
  }
  nlohmann::json PostEntry(const nlohmann::json& entry, int want_status) {
    auto r = Client().Post("/v1/entries", entry.dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, want_status) << r->body;
    return nlohmann::json::parse(r->body);
  }
  uint64_t Size() {
    auto log = Ctl({"verify", "store", "--data", deployment_.P("log"), "--json"});
    EXPECT_EQ(log.code, 0) << log.out << log.err;
    return nlohmann::json::parse(log.out).value("size", uint64_t{0});
  }

  Deployment deployment_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
};

TEST_F(LedgerdReplayTest, TheSameLineAfterANotaryRestartIsNotASecondEntry) {
  nlohmann::json event = SampleEvent("replay-1");
  event.erase("request_id");
  const std::string line_file = deployment_.P("line.jsonl");
  {
    std::ofstream(line_file) << event.dump() << "\n";
  }
  auto first = Ctl({"append", "--data", deployment_.P("log"), "--json", line_file});
  ASSERT_EQ(first.code, 0) << first.err;
  const uint64_t original = nlohmann::json::parse(first.out)["entries"][0]["index"].get<uint64_t>();
  const uint64_t size = Size();
  auto entry0 = Ctl({"get", "--data", deployment_.P("log"), "0", "--json"});
  ASSERT_EQ(entry0.code, 0) << entry0.err;
  const Leaf boot =
      DecodeLeaf(Base64Decode(nlohmann::json::parse(entry0.out)["leaf"].get<std::string>()).value())
          .value();
  ASSERT_EQ(DecodeEvent(boot.event).value().kind, EventKind::kEnclaveBooted);

  RestartNotary();
  auto again = Ctl({"append", "--data", deployment_.P("log"), "--json", line_file});
  EXPECT_NE(again.code, 0) << again.out;
  EXPECT_NE((again.out + again.err).find("replayed_stamp"), std::string::npos) << again.out;
  // The restarted notary's ENCLAVE_BOOTED entry only.
  EXPECT_EQ(Size(), size + 1);

  // Through ledgerd (after another restart), the same event and stamp: the
  // original receipt, no second entry.
  RestartNotary();
  port_ = deployment_.StartLedgerd(ledgerd_);
  ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
  auto retry = PostEntry(Entry(event), 200);
  ASSERT_TRUE(retry.contains("results")) << retry.dump();
  EXPECT_TRUE(retry["results"][0]["duplicate"].get<bool>());
  EXPECT_EQ(retry["results"][0]["receipt"]["index"].get<uint64_t>(), original);
  // Twice in one request, with a new event beside it: one new entry.
  nlohmann::json fresh = SampleEvent("replay-2");
  fresh.erase("request_id");
  auto both = PostEntry({{"entries", {Entry(fresh), Entry(fresh), Entry(event)}}}, 200);
  ASSERT_TRUE(both.contains("results")) << both.dump();
  EXPECT_EQ(both["results"][0]["receipt"]["index"], both["results"][1]["receipt"]["index"]);
  EXPECT_TRUE(both["results"][1]["duplicate"].get<bool>());
  EXPECT_EQ(both["results"][2]["receipt"]["index"].get<uint64_t>(), original);

  // The first boot's ENCLAVE_BOOTED entry (event and log-key stamp), as any
  // client can read it: refused.
  auto refused = PostEntry({{"event_bytes", Base64Encode(boot.event)},
                            {"stamp", Base64Encode(boot.stamp)}},
                           409);
  EXPECT_EQ(refused["error"]["reason"], "replayed_stamp") << refused.dump();
  ledgerd_->Kill(SIGTERM);

  // One entry per stamped event: the store audits clean.
  auto audit = Ctl({"verify", "store", "--data", deployment_.P("log")});
  EXPECT_EQ(audit.code, 0) << audit.out << audit.err;
}

}  // namespace
}  // namespace ledger::ledgerd::testing
