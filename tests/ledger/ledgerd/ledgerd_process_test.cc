// ledgerd end to end: appends over HTTP with receipts verified offline,
// idempotent retries, refusals of bad input that write nothing, metrics and
// health, and a kill -9 of ledgerd after acknowledgements.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/base/hash.h"
#include "ledger/codec/event_json.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/store/log_store.h"
#include "ledger/v1/api.pb.h"
#include "ledgerd_fixture.h"
#include "notary/app_proof.h"

namespace ledger::ledgerd::testing {
namespace {

class LedgerdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    deployment_ = new Deployment();
    deployment_->Create();
    if (HasFatalFailure()) return;
    port_ = deployment_->StartLedgerd(ledgerd_);
  }
  static void TearDownTestSuite() {
    ledgerd_.reset();
    deployment_->Destroy();
    delete deployment_;
  }
  void SetUp() override {
    ASSERT_NE(deployment_, nullptr);
    ASSERT_GT(port_, 0) << Slurp(deployment_->P("ledgerd.log"));
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  // An entry stamped by the policy's submitter (or `signer`).
  nlohmann::json StampedEntry(const std::string& id, const note::Signer* signer = nullptr,
                              const std::string& payload_digest = "") {
    nlohmann::json event = SampleEvent(id);
    if (!payload_digest.empty()) event["payload_digest"] = payload_digest;
    auto e = codec::EventFromJsonValue(event);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    auto bytes = EncodeEvent(*e);
    EXPECT_TRUE(bytes.ok());
    auto stamp = MakeStamp(deployment_->origin, *bytes,
                           signer ? *signer : *deployment_->submitter);
    EXPECT_TRUE(stamp.ok());
    return {{"event", event}, {"stamp", Base64Encode(*stamp)}};
  }

  httplib::Result Post(const std::string& body, const std::string& type = "application/json") {
    return Client().Post("/v1/entries", body, type);
  }

  uint64_t Size() {
    auto r = Client().Get("/healthz");
    EXPECT_TRUE(r);
    if (!r) return 0;
    return nlohmann::json::parse(r->body).value("size", uint64_t{0});
  }

  uint64_t RoundTrips() {
    auto r = Client().Get("/metrics");
    EXPECT_TRUE(r);
    if (!r) return 0;
    const std::string name = "\nledgerd_notary_round_trips_total ";
    size_t at = r->body.find(name);
    EXPECT_NE(at, std::string::npos);
    return at == std::string::npos ? 0 : std::stoull(r->body.substr(at + name.size()));
  }

  // Checks a receipt offline with the pinned log key, and its app proof.
  void VerifyReceipt(const nlohmann::json& receipt, bool with_app_proof) {
    auto vkey = note::ParseVerifierKey(deployment_->vkey);
    ASSERT_TRUE(vkey.ok());
    auto proof = ParseTlogProof(receipt["tlog_proof"].get<std::string>());
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    ASSERT_TRUE(proof->extra.has_value());
    EXPECT_EQ(proof->index, receipt["index"].get<uint64_t>());
    Hash leaf_hash = merkle::LeafHash(*proof->extra);
    EXPECT_EQ(leaf_hash.Base64(), receipt["leaf_hash"].get<std::string>());
    auto verified = VerifyTlogProof(*proof, leaf_hash, **vkey);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    if (!with_app_proof) return;
    ASSERT_TRUE(receipt.contains("app_proof"));
    const auto& ap = receipt["app_proof"];
    auto sig = Base64Decode(ap["signature"].get<std::string>());
    auto pub = Base64Decode(ap["public_key"].get<std::string>());
    ASSERT_TRUE(sig.ok() && pub.ok());
    Status s = notary::VerifyAppProof(ap["checkpoint"].get<std::string>(),
                                      ap["first_index"].get<uint64_t>(),
                                      ap["count"].get<uint64_t>(),
                                      AsBytes(ap["payload"].get<std::string>()), *sig, *pub);
    EXPECT_TRUE(s.ok()) << s.ToString();
    uint64_t index = receipt["index"].get<uint64_t>();
    EXPECT_GE(index, ap["first_index"].get<uint64_t>());
    EXPECT_LT(index, ap["first_index"].get<uint64_t>() + ap["count"].get<uint64_t>());
  }

  static Deployment* deployment_;
  static std::unique_ptr<Process> ledgerd_;
  static int port_;
};

Deployment* LedgerdTest::deployment_ = nullptr;
std::unique_ptr<Process> LedgerdTest::ledgerd_;
int LedgerdTest::port_ = 0;

TEST_F(LedgerdTest, SingleAndBatchedAppendsVerifyOffline) {
  uint64_t before = Size();
  auto r = Post(StampedEntry("single-1").dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = nlohmann::json::parse(r->body);
  ASSERT_EQ(body["results"].size(), 1u);
  EXPECT_FALSE(body["results"][0]["duplicate"].get<bool>());
  EXPECT_EQ(body["results"][0]["receipt"]["index"].get<uint64_t>(), before);
  VerifyReceipt(body["results"][0]["receipt"], true);

  nlohmann::json batch = {{"entries", nlohmann::json::array()}};
  for (int i = 0; i < 25; ++i) batch["entries"].push_back(StampedEntry("batch-" + std::to_string(i)));
  r = Post(batch.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  body = nlohmann::json::parse(r->body);
  ASSERT_EQ(body["results"].size(), 25u);
  for (size_t i = 0; i < 25; ++i) {
    EXPECT_EQ(body["results"][i]["receipt"]["index"].get<uint64_t>(), before + 1 + i);
    VerifyReceipt(body["results"][i]["receipt"], true);
  }
  EXPECT_EQ(Size(), before + 26);

  // Concurrent clients share batches (group commit): fewer notary round
  // trips than requests.
  const uint64_t trips = RoundTrips();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      auto rr = Post(StampedEntry("concurrent-" + std::to_string(t)).dump());
      if (rr && rr->status == 200) {
        ok.fetch_add(1);
      } else {
        ADD_FAILURE() << "request " << t << ": "
                      << (rr ? rr->body : httplib::to_string(rr.error()));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 32);
  EXPECT_EQ(Size(), before + 58);
  EXPECT_LT(RoundTrips() - trips, 32u);

  // Later receipts verify against the latest checkpoint.
  auto later = Client().Get("/v1/entries/" + std::to_string(before) + "/receipt");
  ASSERT_TRUE(later);
  ASSERT_EQ(later->status, 200) << later->body;
  auto receipt = nlohmann::json::parse(later->body);
  EXPECT_EQ(receipt["tree_size"].get<uint64_t>(), before + 58);
  VerifyReceipt(receipt, false);
  auto missing = Client().Get("/v1/entries/999999/receipt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

// `ledgerctl stamp --batch`: one signature over the request; every entry is
// appended with its own batch stamp, which verifies alone with the
// submitter's key. The host (or anyone on the way) changing one entry's path
// gets that entry refused and only that one.
TEST_F(LedgerdTest, BatchStampedRequestsAppendAndATamperedPathIsRefused) {
  const std::string events_file = deployment_->P("batch-stamp.jsonl");
  {
    std::ofstream out(events_file);
    for (int i = 0; i < 9; ++i) out << SampleEvent("batch-stamp-" + std::to_string(i)).dump() << "\n";
  }
  auto stamped = Ctl({"stamp", "--key", deployment_->P("submitter.key"), "--origin",
                      deployment_->origin, "--batch", events_file});
  ASSERT_EQ(stamped.code, 0) << stamped.err;
  auto body = nlohmann::json::parse(stamped.out);
  ASSERT_EQ(body["entries"].size(), 9u);
  const uint64_t before = Size();
  auto r = Post(body.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto answer = nlohmann::json::parse(r->body);
  auto submitter = note::ParseVerifierKey(deployment_->submitter->VerifierKey()).value();
  const note::Verifier* known[] = {submitter.get()};
  for (size_t i = 0; i < 9; ++i) {
    const auto& receipt = answer["results"][i]["receipt"];
    VerifyReceipt(receipt, true);
    auto proof = ParseTlogProof(receipt["tlog_proof"].get<std::string>()).value();
    Leaf leaf = DecodeLeaf(*proof.extra).value();
    Stamp stamp = DecodeStamp(leaf.stamp).value();
    ASSERT_TRUE(stamp.batch.has_value());
    EXPECT_EQ(stamp.batch->index, i);
    EXPECT_EQ(stamp.batch->count, 9u);
    EXPECT_TRUE(VerifyStamp(deployment_->origin, leaf.event, leaf.stamp, known).ok());
  }
  EXPECT_EQ(Size(), before + 9);

  // A second request of 64; the path of its entry 37 is changed on the way.
  // Only that entry is refused, and finding it costs a few notary round
  // trips (halving the refused batch), not one per entry.
  {
    std::ofstream out(events_file);
    for (int i = 0; i < 64; ++i) out << SampleEvent("batch-tamper-" + std::to_string(i)).dump() << "\n";
  }
  stamped = Ctl({"stamp", "--key", deployment_->P("submitter.key"), "--origin",
                 deployment_->origin, "--batch", events_file});
  ASSERT_EQ(stamped.code, 0) << stamped.err;
  body = nlohmann::json::parse(stamped.out);
  Bytes stamp37 = Base64Decode(body["entries"][37]["stamp"].get<std::string>()).value();
  stamp37[stamp37.size() - 1] ^= 0x01;
  body["entries"][37]["stamp"] = Base64Encode(stamp37);
  const uint64_t trips = RoundTrips();
  r = Post(body.dump());
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  answer = nlohmann::json::parse(r->body);
  for (size_t i = 0; i < 64; ++i) {
    EXPECT_EQ(answer["results"][i].contains("error"), i == 37) << r->body;
  }
  EXPECT_EQ(answer["results"][37]["error"]["reason"], "bad_stamp") << r->body;
  EXPECT_EQ(Size(), before + 9 + 63);
  // 1 for the whole batch, then two halves per level down to the bad entry.
  EXPECT_LE(RoundTrips() - trips, 1u + 2u * 6u);
}

TEST_F(LedgerdTest, ProtobufBodiesAndCanonicalEventBytes) {
  uint64_t before = Size();
  nlohmann::json entry = StampedEntry("proto-1");
  auto event = codec::EventFromJsonValue(entry["event"]);
  ASSERT_TRUE(event.ok());
  auto bytes = EncodeEvent(*event);
  ASSERT_TRUE(bytes.ok());
  auto stamp = Base64Decode(entry["stamp"].get<std::string>());
  ASSERT_TRUE(stamp.ok());
  ledger::v1::AppendRequest req;
  auto* se = req.add_events();
  se->set_canonical_event(std::string(AsString(*bytes)));
  se->set_stamp(std::string(AsString(*stamp)));
  auto r = Post(req.SerializeAsString(), "application/x-protobuf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto receipt = nlohmann::json::parse(r->body)["results"][0]["receipt"];
  EXPECT_EQ(receipt["index"].get<uint64_t>(), before);
  VerifyReceipt(receipt, true);

  // The same canonical bytes as JSON event_bytes: the same request id.
  nlohmann::json as_bytes = {{"event_bytes", Base64Encode(*bytes)}, {"stamp", entry["stamp"]}};
  r = Post(as_bytes.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(nlohmann::json::parse(r->body)["results"][0]["duplicate"].get<bool>());

  r = Post("\xff\xff", "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Size(), before + 1);
}

TEST_F(LedgerdTest, PayloadsAreCommittedToByTheEvent) {
  const std::string body = "{\"approvals\": 2}";
  const Hash digest = Sha256::Digest(AsBytes(body));
  nlohmann::json entry = StampedEntry("payload-1", nullptr, digest.Hex());
  entry["payload"] = body;
  entry["payload_content_type"] = "application/json";
  auto r = Post(entry.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto receipt = nlohmann::json::parse(r->body)["results"][0]["receipt"];
  VerifyReceipt(receipt, true);
  auto leaf_bytes = Base64Decode(receipt["leaf"].get<std::string>());
  ASSERT_TRUE(leaf_bytes.ok());
  auto leaf = DecodeLeaf(*leaf_bytes);
  ASSERT_TRUE(leaf.ok());
  auto event = DecodeEvent(leaf->event);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->payload_digest, digest);

  uint64_t size = Size();
  entry = StampedEntry("payload-2", nullptr, Sha256::Digest(AsBytes("other")).Hex());
  entry["payload"] = body;
  r = Post(entry.dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["reason"], "payload_mismatch");
  EXPECT_EQ(Size(), size);
}

TEST_F(LedgerdTest, RetriedRequestIdReturnsTheOriginalReceipt) {
  const std::string entry = StampedEntry("idem-1").dump();
  auto first = Post(entry);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  uint64_t size = Size();
  auto again = Post(entry);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  auto a = nlohmann::json::parse(first->body)["results"][0];
  auto b = nlohmann::json::parse(again->body)["results"][0];
  EXPECT_TRUE(b["duplicate"].get<bool>());
  EXPECT_EQ(a["receipt"]["index"], b["receipt"]["index"]);
  EXPECT_EQ(a["receipt"]["leaf_hash"], b["receipt"]["leaf_hash"]);
  EXPECT_EQ(Size(), size);
  // Twice in one request: one entry.
  nlohmann::json batch = {{"entries", {StampedEntry("idem-2"), StampedEntry("idem-2")}}};
  auto both = Post(batch.dump());
  ASSERT_TRUE(both);
  ASSERT_EQ(both->status, 200) << both->body;
  auto results = nlohmann::json::parse(both->body)["results"];
  EXPECT_EQ(results[0]["receipt"]["index"], results[1]["receipt"]["index"]);
  EXPECT_TRUE(results[1]["duplicate"].get<bool>());
  EXPECT_EQ(Size(), size + 1);
}

TEST_F(LedgerdTest, BadInputIsRefusedAndWritesNothing) {
  uint64_t size = Size();
  auto reason = [](const httplib::Result& r) {
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"]["reason"].get<std::string>() : "";
  };
  auto r = Post("{\"event\": ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(reason(r), "malformed_json");

  r = Post(StampedEntry("ct").dump(), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(reason(r), "unsupported_media_type");

  auto unknown = StampedEntry("unknown");
  unknown["color"] = "blue";
  r = Post(unknown.dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(reason(r), "unknown_field");

  auto unknown_event = StampedEntry("unknown-event");
  unknown_event["event"]["color"] = "blue";
  r = Post(unknown_event.dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(reason(r), "unknown_field");

  r = Post(std::string(9 << 20, ' '));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  auto missing = StampedEntry("no-stamp");
  missing.erase("stamp");
  r = Post(missing.dump());
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  EXPECT_LT(r->status, 500);
  EXPECT_EQ(reason(r), "missing_stamp") << r->body;

  auto other = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  auto stranger = note::NewEd25519Signer("kms.frontend", std::move(*other));
  r = Post(StampedEntry("bad-stamp", stranger.get()).dump());
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  EXPECT_LT(r->status, 500);
  EXPECT_EQ(reason(r), "unknown_submitter") << r->body;
  auto garbled = StampedEntry("garbled-stamp");
  garbled["stamp"] = "AAAA";
  r = Post(garbled.dump());
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  EXPECT_LT(r->status, 500);
  EXPECT_FALSE(reason(r).empty()) << r->body;

  // One bad stamp in a batch: only that entry is refused.
  nlohmann::json batch = {{"entries",
                           {StampedEntry("mixed-ok"), StampedEntry("mixed-bad", stranger.get())}}};
  r = Post(batch.dump());
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  auto body = nlohmann::json::parse(r->body);
  EXPECT_TRUE(body["results"][0].contains("receipt")) << r->body;
  EXPECT_TRUE(body["results"][1].contains("error")) << r->body;
  EXPECT_EQ(Size(), size + 1);
  EXPECT_EQ(Client().Get("/healthz")->status, 200);
}

TEST_F(LedgerdTest, MetricsAndHealth) {
  auto h = Client().Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto m = Client().Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  for (const char* name : {"ledgerd_up 1", "ledgerd_entries_appended_total",
                           "ledgerd_batch_size_bucket", "ledgerd_batch_commit_seconds_count",
                           "ledgerd_notary_round_trips_total", "ledgerd_store_size"}) {
    EXPECT_NE(m->body.find(name), std::string::npos) << name;
  }
}

// Last: kills ledgerd after acknowledgements and restarts it.
TEST_F(LedgerdTest, KillDashNineKeepsEveryAcknowledgedEntry) {
  std::vector<nlohmann::json> acked;
  for (int i = 0; i < 5; ++i) {
    auto r = Post(StampedEntry("crash-" + std::to_string(i)).dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    acked.push_back(nlohmann::json::parse(r->body)["results"][0]["receipt"]);
  }
  ledgerd_->Kill(SIGKILL);
  port_ = deployment_->StartLedgerd(ledgerd_);
  ASSERT_GT(port_, 0) << Slurp(deployment_->P("ledgerd.log"));
  EXPECT_EQ(Client().Get("/healthz")->status, 200);
  for (const auto& receipt : acked) {
    auto r = Client().Get("/v1/entries/" + std::to_string(receipt["index"].get<uint64_t>()) +
                          "/receipt");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    auto again = nlohmann::json::parse(r->body);
    EXPECT_EQ(again["leaf_hash"], receipt["leaf_hash"]);
    VerifyReceipt(again, false);
  }
  // The log continues, and the store audits clean once ledgerd is gone.
  auto r = Post(StampedEntry("after-restart").dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  ledgerd_->Kill(SIGTERM);
  auto audit = Ctl({"verify", "store", "--data", deployment_->P("log")});
  EXPECT_EQ(audit.code, 0) << audit.out << audit.err;

  // Back-pressure: a request that does not fit the queue is refused whole.
  port_ = deployment_->StartLedgerd(ledgerd_, {"--queue-limit", "1"});
  ASSERT_GT(port_, 0) << Slurp(deployment_->P("ledgerd.log"));
  uint64_t size = Size();
  nlohmann::json two = {{"entries", {StampedEntry("full-1"), StampedEntry("full-2")}}};
  r = Post(two.dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["reason"], "queue_full");
  EXPECT_EQ(Size(), size);
  ledgerd_->Kill(SIGTERM);

  // Without a notary at the store's head ledgerd serves nothing but its
  // reason: /healthz 503, appends 503, nothing written.
  deployment_->notary.reset();
  port_ = deployment_->StartLedgerd(ledgerd_);
  ASSERT_GT(port_, 0) << Slurp(deployment_->P("ledgerd.log"));
  auto health = Client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_TRUE(nlohmann::json::parse(health->body).contains("error")) << health->body;
  r = Post(StampedEntry("no-notary").dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(Client().Get("/metrics")->body.find("ledgerd_up 0"), std::string::npos);
}

}  // namespace
}  // namespace ledger::ledgerd::testing
