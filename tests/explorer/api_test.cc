// The JSON API of a real explorer process over a log the test writes (and
// keeps writing: the explorer follows it as a RocksDB secondary).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "../ledger/store/unchecked_append.h"
#include "explorer_fixture.h"
#include "ledger/codec/state_json.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/record/state_proof.h"

namespace explorer::testing {
namespace {

using nlohmann::json;

// GET path from an explorer of the test's own log, expecting 200.
json GetOk(const ExplorerProcess& explorer, const std::string& path) {
  auto r = explorer.Client().Get(path);
  EXPECT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  return r ? json::parse(r->body) : json();
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    log_ = new TestLog("api");
    log_->Append(600, 200);
    ephemeral_ = AppendBootEntry(*log_);
    AppendAnchor(*log_);
    AppendDenied(*log_);
    explorer_ = new ExplorerProcess(log_->dir());
  }
  static void TearDownTestSuite() {
    delete explorer_;
    delete log_;
  }

  static json Get(const std::string& path, int expect = 200) {
    auto r = explorer_->Client().Get(path);
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, expect) << path << " " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(r->body, nullptr, false);
  }
  static void ExpectError(const std::string& path, int status, const std::string& reason) {
    json j = Get(path, status);
    EXPECT_EQ(j["error"]["reason"], reason) << path << " " << j.dump();
  }

  // Every page of a search, following next_cursor from `first` (a query
  // string); the indices in the order served.
  static std::vector<uint64_t> AllPages(const std::string& first, size_t limit) {
    std::vector<uint64_t> got;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      json j = Get(first + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_LE(j["entries"].size(), limit);
      for (const auto& e : j["entries"]) got.push_back(e["index"].get<uint64_t>());
      EXPECT_TRUE(j["export"].is_null());  // no --export-url
      if (j["next_cursor"].is_null()) break;
      cursor = j["next_cursor"].get<std::string>();
    }
    return got;
  }

  static inline TestLog* log_ = nullptr;
  static inline ExplorerProcess* explorer_ = nullptr;
  static inline std::string ephemeral_;
};

TEST_F(ApiTest, LogHead) {
  json j = Get("/v1/log");
  EXPECT_EQ(j["size"], log_->store().size());
  EXPECT_EQ(j["origin"], ledger::testing::kOrigin);
  EXPECT_EQ(j["checkpoint"], log_->store().latest().note);
}

TEST_F(ApiTest, SearchPaginatesThroughEveryMatch) {
  ledger::store::EntryQuery q;
  q.subject = "key/k-3";
  q.limit = 100000;
  auto expected = log_->store().FindEntries(q).value();
  ASSERT_GT(expected.size(), 20u);
  json j = Get("/v1/entries?subject=key/k-3&limit=7");
  EXPECT_EQ(j["order"], "desc");
  for (const auto& e : j["entries"]) EXPECT_EQ(e["event"]["subject"], "key/k-3");
  // Oldest first on request; newest first by default.
  EXPECT_EQ(AllPages("/v1/entries?subject=key/k-3&limit=7&order=asc", 7), expected);
  std::vector<uint64_t> newest_first(expected.rbegin(), expected.rend());
  EXPECT_EQ(AllPages("/v1/entries?subject=key/k-3&limit=7", 7), newest_first);
  EXPECT_EQ(AllPages("/v1/entries?subject=key/k-3&limit=7&order=desc", 7), newest_first);
  // The whole log, both ways.
  const uint64_t size = log_->store().size();
  json desc = Get("/v1/entries?limit=3");
  EXPECT_EQ(desc["tree_size"], size);
  ASSERT_EQ(desc["entries"].size(), 3u);
  EXPECT_EQ(desc["entries"][0]["index"], size - 1);
  EXPECT_EQ(desc["entries"][2]["index"], size - 3);
  EXPECT_EQ(desc["next_cursor"], std::to_string(size - 4));
  json asc = Get("/v1/entries?limit=3&order=asc");
  EXPECT_EQ(asc["entries"][0]["index"], 0);
  EXPECT_EQ(asc["next_cursor"], "3");
  // A page relative to an older head.
  json old = Get("/v1/entries?limit=2&tree_size=100");
  EXPECT_EQ(old["tree_size"], 100);
  EXPECT_EQ(old["entries"][0]["index"], 99);
  json old_asc = Get("/v1/entries?limit=2&tree_size=100&order=asc&cursor=98");
  ASSERT_EQ(old_asc["entries"].size(), 2u);
  EXPECT_TRUE(old_asc["next_cursor"].is_null());
  EXPECT_TRUE(Get("/v1/entries?tree_size=0")["entries"].empty());
}

// New entries appended between two page requests neither shift nor repeat
// entries: a page is a range of indices below the cursor (newest first) or
// from it, within the head of the first page (oldest first).
TEST(ApiPaging, PagesStayPutWhileTheLogGrows) {
  TestLog log("paging");
  log.Append(100, 50);
  ExplorerProcess explorer(log.dir());
  ASSERT_GT(explorer.port(), 0);
  auto get = [&](const std::string& path) { return GetOk(explorer, path); };
  auto indices = [](const json& page) {
    std::vector<uint64_t> out;
    for (const auto& e : page["entries"]) out.push_back(e["index"].get<uint64_t>());
    return out;
  };
  std::vector<uint64_t> desc, asc;
  json first = get("/v1/entries?limit=30");
  json first_asc = get("/v1/entries?limit=30&order=asc");
  const std::string head = first["tree_size"].dump();
  EXPECT_EQ(head, "100");
  desc = indices(first);
  asc = indices(first_asc);
  std::string cursor = first["next_cursor"], cursor_asc = first_asc["next_cursor"];
  while (true) {
    log.Append(7, 7);  // appended between every two pages
    json next = get("/v1/entries?limit=30&cursor=" + cursor);
    for (uint64_t i : indices(next)) desc.push_back(i);
    if (next["next_cursor"].is_null()) break;
    cursor = next["next_cursor"];
  }
  while (true) {
    log.Append(7, 7);
    json next = get("/v1/entries?limit=30&order=asc&tree_size=" + head + "&cursor=" + cursor_asc);
    EXPECT_EQ(next["tree_size"].dump(), head);
    for (uint64_t i : indices(next)) asc.push_back(i);
    if (next["next_cursor"].is_null()) break;
    cursor_asc = next["next_cursor"];
  }
  std::vector<uint64_t> all(100);
  for (uint64_t i = 0; i < 100; ++i) all[i] = i;
  EXPECT_EQ(asc, all);
  std::reverse(all.begin(), all.end());
  EXPECT_EQ(desc, all);
  // The newest page now starts at the new head.
  EXPECT_EQ(get("/v1/entries?limit=1")["entries"][0]["index"], log.store().size() - 1);
}

TEST_F(ApiTest, SearchFilters) {
  json by_kind = Get("/v1/entries?kind=KEY_CREATED&limit=5");
  ASSERT_EQ(by_kind["entries"].size(), 5u);
  for (const auto& e : by_kind["entries"]) EXPECT_EQ(e["event"]["kind"], "KEY_CREATED");
  json by_actor = Get("/v1/entries?actor=policy-svc&limit=3");
  for (const auto& e : by_actor["entries"]) EXPECT_EQ(e["event"]["actor"]["id"], "policy-svc");
  json denied = Get("/v1/entries?outcome=DENIED");
  ASSERT_EQ(denied["entries"].size(), 3u);
  for (const auto& e : denied["entries"]) EXPECT_EQ(e["event"]["outcome"], "DENIED");
  json by_request = Get("/v1/entries?request_id=req-7");
  ASSERT_EQ(by_request["entries"].size(), 1u);
  EXPECT_EQ(by_request["entries"][0]["index"], 7);
  EXPECT_TRUE(Get("/v1/entries?request_id=nope")["entries"].empty());
  EXPECT_TRUE(Get("/v1/entries?subject=key/unknown")["entries"].empty());
  // Time range: [recorded_at of entry 10, recorded_at of entry 450) (the
  // test clock ticks once per batch of 200).
  json e10 = Get("/v1/entries/10"), e20 = Get("/v1/entries/450");
  json range = Get("/v1/entries?from=" + e10["recorded_at"].get<std::string>() +
                   "&to=" + e20["recorded_at"].get<std::string>() + "&limit=1000");
  for (const auto& e : range["entries"]) {
    EXPECT_GE(e["recorded_at_us"], e10["recorded_at_us"]);
    EXPECT_LT(e["recorded_at_us"], e20["recorded_at_us"]);
  }
  EXPECT_EQ(range["entries"].size(), 400u);  // entries 0..399
}

TEST_F(ApiTest, BadParametersGetStableErrors) {
  ExpectError("/v1/entries?limit=0", 400, "bad_limit");
  ExpectError("/v1/entries?limit=1001", 400, "bad_limit");
  ExpectError("/v1/entries?limit=-1", 400, "bad_limit");
  ExpectError("/v1/entries?cursor=abc", 400, "bad_cursor");
  ExpectError("/v1/entries?cursor=007", 400, "bad_cursor");
  ExpectError("/v1/entries?kind=NOPE", 400, "unknown_event_kind");
  ExpectError("/v1/entries?outcome=MAYBE", 400, "unknown_outcome");
  ExpectError("/v1/entries?from=yesterday", 400, "bad_time");
  ExpectError("/v1/entries?subjct=x", 400, "unknown_parameter");
  ExpectError("/v1/entries?limit=1&limit=2", 400, "repeated_parameter");
  ExpectError("/v1/entries?order=newest", 400, "bad_order");
  ExpectError("/v1/entries?order=ASC", 400, "bad_order");
  ExpectError("/v1/entries?order=", 400, "bad_order");
  ExpectError("/v1/entries?tree_size=99999999", 400, "bad_tree_size");
  ExpectError("/v1/entries?tree_size=x", 400, "bad_tree_size");
  ExpectError("/v1/stats/entries-per-hour?hours=0", 400, "bad_hours");
  ExpectError("/v1/stats/entries-per-hour?hours=169", 400, "bad_hours");
  ExpectError("/v1/stats/entries-per-hour?hours=24h", 400, "bad_hours");
  ExpectError("/v1/stats/entries-per-hour?tree_size=99999999", 400, "bad_tree_size");
  ExpectError("/v1/stats/entries-per-hour?hour=2", 400, "unknown_parameter");
  ExpectError("/v1/stats/timeline?hours=2", 400, "unknown_parameter");
  ExpectError("/v1/entries/abc", 400, "bad_index");
  ExpectError("/v1/entries/99999999999999999999999", 400, "bad_index");
  ExpectError("/v1/entries/1000000", 404, "entry_not_found");
  ExpectError("/v1/history?subject=key/unknown", 404, "subject_not_found");
  ExpectError("/v1/history", 400, "missing_parameter");
  ExpectError("/v1/proofs/consistency?from=10&to=5", 400, "bad_tree_size");
  ExpectError("/v1/proofs/consistency?from=1&to=99999999", 400, "bad_tree_size");
  ExpectError("/v1/proofs/inclusion?index=100&tree_size=100", 400, "bad_index");
  ExpectError("/v1/checkpoints?limit=201", 400, "bad_limit");
  ExpectError("/v1/nothing", 404, "no_such_route");
}

TEST_F(ApiTest, EntryReceiptVerifiesAgainstThePinnedKey) {
  json e = Get("/v1/entries/5");
  auto leaf = ledger::Base64Decode(e["leaf"].get<std::string>()).value();
  auto leaf_hash = ledger::merkle::LeafHash(leaf);
  EXPECT_EQ(e["leaf_hash"], leaf_hash.Hex());
  EXPECT_EQ(e["event"]["event_id"], "evt-5");
  const json& r = e["receipt"];
  auto cp = ledger::VerifyCheckpoint(r["checkpoint"].get<std::string>(),
                                     *ledger::testing::LogVerifier());
  ASSERT_TRUE(cp.ok()) << cp.status();
  std::vector<ledger::Hash> proof;
  for (const auto& h : r["inclusion_proof"]) proof.push_back(ledger::Hash::FromBase64(h.get<std::string>()).value());
  EXPECT_TRUE(ledger::merkle::VerifyInclusion(5, cp->checkpoint.size, leaf_hash, proof,
                                              cp->checkpoint.root)
                  .ok());
  auto tp = ledger::ParseTlogProof(r["tlog_proof"].get<std::string>());
  ASSERT_TRUE(tp.ok()) << tp.status();
  EXPECT_TRUE(ledger::VerifyTlogProof(*tp, leaf_hash, *ledger::testing::LogVerifier()).ok());
}

TEST_F(ApiTest, ConsistencyAndInclusionProofs) {
  const uint64_t size = log_->store().size();
  for (uint64_t from : {0ull, 1ull, 199ull, 256ull, 400ull}) {
    json j = Get("/v1/proofs/consistency?from=" + std::to_string(from));
    EXPECT_EQ(j["to"], size);
    std::vector<ledger::Hash> proof;
    for (const auto& h : j["consistency_proof"]) proof.push_back(ledger::Hash::FromBase64(h.get<std::string>()).value());
    auto root1 = log_->store().RootAt(from).value();
    auto root2 = log_->store().latest().checkpoint.root;
    EXPECT_EQ(j["to_root"], root2.Base64());
    EXPECT_TRUE(ledger::merkle::VerifyConsistency(from, size, proof, root1, root2).ok()) << from;
  }
  json inc = Get("/v1/proofs/inclusion?index=3&tree_size=100");
  std::vector<ledger::Hash> proof;
  for (const auto& h : inc["inclusion_proof"]) proof.push_back(ledger::Hash::FromBase64(h.get<std::string>()).value());
  EXPECT_TRUE(ledger::merkle::VerifyInclusion(
                  3, 100, ledger::Hash::FromBase64(inc["leaf_hash"].get<std::string>()).value(),
                  proof, log_->store().RootAt(100).value())
                  .ok());
}

TEST_F(ApiTest, CheckpointsWithTheirSignatureLines) {
  json j = Get("/v1/checkpoints?limit=3");
  ASSERT_EQ(j["checkpoints"].size(), 3u);
  EXPECT_FALSE(j["next_cursor"].is_null());
  for (const auto& c : j["checkpoints"]) {
    auto v = ledger::VerifyCheckpoint(c["note"].get<std::string>(), *ledger::testing::LogVerifier());
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(c["size"], v->checkpoint.size);
    ASSERT_EQ(c["signatures"].size(), 1u);
    EXPECT_EQ(c["signatures"][0]["name"], ledger::testing::kOrigin);
  }
  EXPECT_EQ(j["latest"]["note"], log_->store().latest().note);
}

TEST_F(ApiTest, BootProofsAnchorsAndKeyHistory) {
  json boots = Get("/v1/boot-proofs");
  ASSERT_EQ(boots["boot_proofs"].size(), 1u);
  const json& att = boots["boot_proofs"][0]["boot_proof"]["attestation"];
  EXPECT_EQ(att["module_id"], "i-test-enc");
  EXPECT_EQ(att["pcrs"]["0"], ledger::HexEncode(ledger::Bytes(48, 0xa0)));
  EXPECT_EQ(att["public_key"], ephemeral_);
  EXPECT_EQ(att["user_data"], std::string(64, '5'));
  json anchors = Get("/v1/anchors");
  ASSERT_EQ(anchors["anchors"].size(), 1u);
  EXPECT_EQ(anchors["anchors"][0]["anchor"]["attributes"]["tx_hash"], "0xabc");
  EXPECT_EQ(anchors["anchors"][0]["anchor"]["evidence"]["tree_size"], 600);
  json keys = Get("/v1/key-history?limit=200");
  uint64_t last = 0;
  bool saw_boot = false;
  for (const auto& e : keys["events"]) {
    EXPECT_GE(e["index"].get<uint64_t>(), last);
    last = e["index"].get<uint64_t>();
    std::string kind = e["event"]["kind"];
    saw_boot = saw_boot || kind == "ENCLAVE_BOOTED";
    EXPECT_TRUE(kind == "ENCLAVE_BOOTED" || kind == "KEY_CREATED" || kind == "KEY_ROTATED" ||
                kind == "POLICY_CHANGED")
        << kind;
  }
  EXPECT_FALSE(keys["next_cursor"].is_null());
  json history = Get("/v1/history?subject=key/denied");
  EXPECT_EQ(history["versions"].size(), 3u);
}

// Review F7: a submitter could append a look-alike of the notary's policy or
// boot record, and the explorer listed it as key history. A log written
// before the sequencer refused those may still hold one: it is not listed.
TEST(ExplorerNotaryRecordsTest, LookAlikesAreNotKeyHistoryOrBootProofs) {
  TestLog log("lookalike");
  log.Append(3);
  AppendBootEntry(log);
  auto submitter =
      ledger::note::NewEd25519Signer("kms.frontend", ledger::Ed25519PrivateKey::Generate().value());
  for (auto kind : {ledger::EventKind::kPolicyChanged, ledger::EventKind::kEnclaveBooted}) {
    auto e = BaseEvent(kind, "look-alike/" + std::string(ledger::EventKindName(kind)));
    e.subject = kind == ledger::EventKind::kPolicyChanged
                    ? "notary-policy/" + std::string(ledger::testing::kOrigin)
                    : "notary/" + std::string(ledger::testing::kOrigin);
    ledger::Bytes event = ledger::EncodeEvent(e).value();
    ledger::Bytes stamp = ledger::MakeStamp(ledger::testing::kOrigin, event, *submitter).value();
    ASSERT_TRUE(ledger::testing::AppendUnchecked(log.store(), {event, stamp}).ok());
  }
  ExplorerProcess explorer(log.dir());
  auto get = [&](const std::string& path) {
    auto r = explorer.Client().Get(path);
    EXPECT_TRUE(r && r->status == 200) << path;
    return r ? json::parse(r->body) : json();
  };
  json entries = get("/v1/entries?limit=50");
  EXPECT_EQ(entries["entries"].size(), 6u);  // the look-alikes are in the log...
  json keys = get("/v1/key-history");
  // ...but not in its history: KEY_CREATED 0, KEY_ROTATED 2, the boot at 3.
  ASSERT_EQ(keys["events"].size(), 3u);
  EXPECT_EQ(keys["events"][2]["event"]["kind"], "ENCLAVE_BOOTED");
  EXPECT_EQ(keys["events"][2]["index"], 3);
  json boots = get("/v1/boot-proofs");
  ASSERT_EQ(boots["boot_proofs"].size(), 1u);
  EXPECT_EQ(boots["boot_proofs"][0]["index"], 3);
}

TEST_F(ApiTest, EtagsAndConditionalRequests) {
  auto http = explorer_->Client();
  for (const char* path : {"/v1/entries/3", "/tile/0/000", "/checkpoint"}) {
    auto r = http.Get(path);
    ASSERT_TRUE(r);
    std::string etag = r->get_header_value("ETag");
    ASSERT_FALSE(etag.empty()) << path;
    auto again = http.Get(path, {{"If-None-Match", etag}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304) << path;
    EXPECT_TRUE(again->body.empty());
    auto other = http.Get(path, {{"If-None-Match", "\"something-else\""}});
    EXPECT_EQ(other->status, 200);
  }
}

TEST_F(ApiTest, GzipWhenAcceptedAndCors) {
  httplib::Client raw("127.0.0.1", explorer_->port());
  raw.set_decompress(false);
  auto r = raw.Get("/v1/entries?limit=200", {{"Accept-Encoding", "gzip"}, {"Origin", "http://auditor.example"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  ASSERT_GT(r->body.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(r->body[0]), 0x1f);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
  auto bundle = raw.Get("/tile/entries/000", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(bundle->get_header_value("Content-Encoding"), "gzip");
  auto pre = raw.Options("/v1/entries");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_NE(pre->get_header_value("Access-Control-Allow-Methods").find("GET"), std::string::npos);
}

TEST_F(ApiTest, HasNoWriteRoute) {
  auto http = explorer_->Client();
  for (const char* path : {"/v1/entries", "/checkpoint", "/tile/0/000", "/"}) {
    auto post = http.Post(path, "{}", "application/json");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405) << path;
    EXPECT_NE(post->body.find("read_only"), std::string::npos);
    auto put = http.Put(path, "x", "text/plain");
    EXPECT_EQ(put->status, 405);
    auto del = http.Delete(path);
    EXPECT_EQ(del->status, 405);
  }
}

TEST_F(ApiTest, OpenApiDescribesEveryRoute) {
  json doc = Get("/v1/openapi.json");
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const char* path : {"/checkpoint", "/v1/log", "/v1/entries", "/v1/entries/{index}",
                           "/v1/proofs/inclusion", "/v1/proofs/consistency", "/v1/history",
                           "/v1/checkpoints", "/v1/anchors", "/v1/boot-proofs",
                           "/v1/key-history", "/v1/stats/entries-per-hour",
                           "/v1/stats/timeline", "/v1/openapi.json"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
  // Every documented path is served (never no_such_route), with its
  // required parameters filled in.
  for (const auto& [path, item] : doc["paths"].items()) {
    std::string url = path;
    if (auto at = url.find("{index}"); at != std::string::npos) url.replace(at, 7, "1");
    if (auto at = url.find("{subject}"); at != std::string::npos) url.replace(at, 9, "key/k-1");
    std::string query;
    for (const auto& p : item["get"]["parameters"]) {
      if (p["in"] == "query" && p.value("required", false)) {
        query += (query.empty() ? "?" : "&") + p["name"].get<std::string>() + "=" +
                 (p["name"] == "subject" ? "key/k-1" : "1");
      }
    }
    auto r = explorer_->Client().Get(url + query);
    ASSERT_TRUE(r) << url;
    EXPECT_EQ(r->status, 200) << url + query << " " << r->body;
  }
}

// GET /v1/state/{subject}: the answer verifies with the pinned key alone,
// names the latest entry of the subject, and the history holds as many
// entries as the map's version; an unknown subject gets an absence proof.
TEST_F(ApiTest, StateAnswersVerifyWithThePinnedKeyAlone) {
  auto verifier = ledger::testing::LogVerifier();
  auto check = [&](const std::string& subject, bool present) {
    auto r = explorer_->Client().Get("/v1/state/" + subject);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto answer = ledger::codec::StateProofFromJson(r->body);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->subject, subject);
    auto v = ledger::state_map::VerifyStateProof(*answer, *verifier);
    ASSERT_TRUE(v.ok()) << v.status();
    ASSERT_EQ(v->value.has_value(), present);
    if (!present) return;
    EXPECT_EQ(v->event->subject, subject);
    // The latest: the last index a search for the subject returns.
    ledger::store::EntryQuery q;
    q.subject = subject;
    q.limit = 100000;
    auto hits = log_->store().FindEntries(q).value();
    EXPECT_EQ(v->value->index, hits.back());
    EXPECT_EQ(v->value->version, hits.size());
    // Every page of the history, each inclusion proof checked.
    size_t seen = 0;
    std::string cursor;
    do {
      json h = Get("/v1/state/" + subject + "/history?limit=13" +
                   (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(h["version"], hits.size());
      auto cp = ledger::VerifyCheckpoint(h["checkpoint"].get<std::string>(), *verifier);
      ASSERT_TRUE(cp.ok()) << cp.status();
      for (const auto& e : h["versions"]) {
        EXPECT_EQ(e["index"].get<uint64_t>(), hits[seen++]);
        auto leaf = ledger::Base64Decode(e["leaf"].get<std::string>()).value();
        std::vector<ledger::Hash> proof;
        for (const auto& p : e["inclusion_proof"]) proof.push_back(ledger::Hash::FromBase64(p.get<std::string>()).value());
        EXPECT_TRUE(ledger::merkle::VerifyInclusion(e["index"].get<uint64_t>(),
                                                    cp->checkpoint.size,
                                                    ledger::merkle::LeafHash(leaf), proof,
                                                    cp->checkpoint.root)
                        .ok());
      }
      cursor = h["next_cursor"].is_null() ? "" : h["next_cursor"].get<std::string>();
    } while (!cursor.empty());
    EXPECT_EQ(seen, hits.size());
  };
  check("key/k-3", true);
  check("key/k-1", true);
  check("key/never-written", false);
  // Percent-encoded slashes are the same subject.
  auto r = explorer_->Client().Get("/v1/state/key%2Fk-3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["subject"], "key/k-3");
  // An older checkpoint answers as of its size.
  json old = Get("/v1/state/key/k-3?at=200");
  EXPECT_EQ(old["state"]["tree_size"], 200);
  EXPECT_LT(old["state"]["index"].get<uint64_t>(), 200u);
  ExpectError("/v1/state/key/k-3?at=201", 404, "no_checkpoint");
  ExpectError("/v1/state/key/k-3?at=99999999", 404, "no_checkpoint");
  ExpectError("/v1/state/key/k-3?at=0", 400, "bad_at");
  ExpectError("/v1/state/key/k-3?at=x", 400, "bad_at");
  ExpectError("/v1/state/key/k-3?color=red", 400, "unknown_parameter");
  ExpectError("/v1/state/key%01x", 400, "bad_subject");
  ExpectError("/v1/state/key/k-3/history?limit=0", 400, "bad_limit");
  ExpectError("/v1/state/key/k-3/history?limit=1001", 400, "bad_limit");
  ExpectError("/v1/state/key/k-3/history?cursor=-1", 400, "bad_cursor");
}

TEST_F(ApiTest, ServesTheWebUi) {
  auto http = explorer_->Client();
  auto index = http.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->get_header_value("Content-Type").find("text/html"), std::string::npos);
  auto js = http.Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_NE(js->get_header_value("Content-Type").find("javascript"), std::string::npos);
  // The UI verifies with the verifier package (clients/js/src), served under
  // /lib/; it has no verifier of its own.
  for (const char* path : {"/lib/index.js", "/lib/tiles.js", "/lib/explorer.js"}) {
    auto lib = http.Get(path);
    ASSERT_TRUE(lib) << path;
    EXPECT_EQ(lib->status, 200) << path;
    EXPECT_NE(lib->get_header_value("Content-Type").find("javascript"), std::string::npos) << path;
  }
  auto old = http.Get("/verify.js");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 404);
  auto outside = http.Get("/lib/../../README.md");
  ASSERT_TRUE(outside);
  EXPECT_NE(outside->status, 200);
}

// The charts' aggregates over a log of known kinds, outcomes, hours and
// witnesses (AppendChartLog).
TEST(ApiStats, EntriesPerHourAndTimeline) {
  TestLog log("stats");
  AppendChartLog(log);
  ExplorerProcess explorer(log.dir());
  ASSERT_GT(explorer.port(), 0);
  auto get = [&](const std::string& path) { return GetOk(explorer, path); };
  json h = get("/v1/stats/entries-per-hour?hours=4");
  EXPECT_EQ(h["tree_size"], 13);
  EXPECT_EQ(h["from"], "2023-11-14T21:00:00Z");
  EXPECT_EQ(h["to"], "2023-11-15T01:00:00Z");
  EXPECT_EQ(h["scanned"], 13);
  EXPECT_EQ(h["truncated"], false);
  EXPECT_EQ(h["oldest_index"], 0);
  ASSERT_EQ(h["series"].size(), 5u);
  ASSERT_EQ(h["buckets"].size(), 4u);
  std::vector<uint64_t> totals;
  for (const auto& b : h["buckets"]) totals.push_back(b["total"]);
  EXPECT_EQ(totals, (std::vector<uint64_t>{5, 0, 6, 2}));
  EXPECT_EQ(h["buckets"][2]["start"], "2023-11-14T23:00:00Z");
  // Each bucket's counts follow the series.
  auto count = [&](size_t bucket, const std::string& kind, const std::string& outcome) {
    for (size_t i = 0; i < h["series"].size(); ++i) {
      if (h["series"][i]["kind"] == kind && h["series"][i]["outcome"] == outcome) {
        return h["buckets"][bucket]["counts"][i].get<uint64_t>();
      }
    }
    return uint64_t{999};
  };
  EXPECT_EQ(count(0, "KEY_CREATED", "SUCCESS"), 3u);
  EXPECT_EQ(count(0, "SIGNATURE_PRODUCED", "DENIED"), 2u);
  EXPECT_EQ(count(2, "SIGNATURE_PRODUCED", "SUCCESS"), 4u);
  EXPECT_EQ(count(2, "KEY_ROTATED", "ERROR"), 1u);
  EXPECT_EQ(count(2, "ANCHOR_CONFIRMED", "SUCCESS"), 1u);
  EXPECT_EQ(count(3, "KEY_CREATED", "SUCCESS"), 2u);
  // A shorter window reads only its entries; an older head ends earlier.
  json last2 = get("/v1/stats/entries-per-hour?hours=2");
  EXPECT_EQ(last2["scanned"], 8);
  EXPECT_EQ(last2["oldest_index"], 5);
  EXPECT_EQ(last2["series"].size(), 4u);
  json old = get("/v1/stats/entries-per-hour?hours=1&tree_size=5");
  EXPECT_EQ(old["from"], "2023-11-14T21:00:00Z");
  EXPECT_EQ(old["buckets"][0]["total"], 5);
  json none = get("/v1/stats/entries-per-hour?tree_size=0");
  EXPECT_TRUE(none["buckets"].empty());
  EXPECT_TRUE(none["from"].is_null());
  // The default window is 24 hours up to the newest entry's hour.
  EXPECT_EQ(get("/v1/stats/entries-per-hour")["buckets"].size(), 24u);

  json t = get("/v1/stats/timeline");
  EXPECT_EQ(t["tree_size"], 13);
  EXPECT_EQ(t["recorded_at"].get<std::string>().substr(0, 16), "2023-11-15T00:01");
  ASSERT_EQ(t["witnesses"].size(), 2u);
  EXPECT_EQ(t["witnesses"][0]["name"], "witness.example/w1");
  EXPECT_EQ(t["witnesses"][0]["size"], 13);
  EXPECT_EQ(t["witnesses"][1]["name"], "witness.example/w2");
  EXPECT_EQ(t["witnesses"][1]["size"], 5);
  for (const auto& w : t["witnesses"]) {
    EXPECT_GT(w["timestamp"].get<uint64_t>(), 1'700'000'000u);
    EXPECT_TRUE(w["verified"].is_null());  // no manifest names the witnesses
  }
  EXPECT_EQ(t["complete"], true);
  EXPECT_EQ(t["anchor"]["size"], 10);
  EXPECT_EQ(t["anchor"]["index"], 10);
  EXPECT_EQ(t["anchor"]["recorded_at"].get<std::string>().substr(0, 13), "2023-11-14T23");
}

// Last: it grows the log.
TEST_F(ApiTest, ZFollowsTheWriter) {
  const uint64_t before = Get("/v1/log")["size"];
  log_->Append(300);
  json j = Get("/v1/log");
  EXPECT_EQ(j["size"], before + 300);
  EXPECT_EQ(j["checkpoint"], log_->store().latest().note);
  EXPECT_EQ(Get("/v1/entries/" + std::to_string(before + 299))["index"], before + 299);
}

}  // namespace
}  // namespace explorer::testing
