// State-integrity proofs over HTTP with real processes (schemas/formats/map.md
// §5, §6, §9): POST /v1/state compare-and-swap, a conflicting request refused
// alone while the rest of its batch is sequenced, the refusal counted and
// logged, GET /v1/state answers verified with nothing but the pinned log key,
// and a service that detects the rollback of its own database.
#include <httplib.h>

#include <future>
#include <utility>
#include <nlohmann/json.hpp>

#include "ledger/base/hash.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/state_json.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/record/state_proof.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

using nlohmann::json;

class LedgerdStateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    deployment_ = new Deployment();
    deployment_->dir_prefix = "ledgerd-state-test";
    deployment_->submitter_kinds = "KEY_CREATED,STATE_NOTARIZED";
    // The service owns key/ and svc/; ledgerd's own key (host.key) appends
    // VERIFICATION_RUN on verification/ only (policy.md §2).
    deployment_->submitter_subjects = "key/,svc/,policy/";
    deployment_->host_kinds = "VERIFICATION_RUN";
    deployment_->Create();
    if (HasFatalFailure()) return;
    // A long batch window, so that concurrent requests share a batch.
    port_ = deployment_->StartLedgerd(ledgerd_, {"--max-delay-ms", "150"});
  }
  static void TearDownTestSuite() {
    ledgerd_.reset();
    if (deployment_) deployment_->Destroy();
    delete std::exchange(deployment_, nullptr);
  }
  void SetUp() override {
    ASSERT_TRUE(deployment_ != nullptr && port_ > 0) << Slurp(deployment_->P("ledgerd.log"));
  }

  static httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  static std::string Encode(const std::string& subject) {
    return httplib::detail::encode_query_param(subject);
  }

  // A stamped STATE_NOTARIZED entry: `prior` empty means "no state yet".
  static json StateEntry(const std::string& subject, const std::string& id,
                         const std::string& prior, const std::string& next) {
    json event = {{"kind", "STATE_NOTARIZED"},
                  {"event_id", "evt-" + id},
                  {"request_id", "req-" + id},
                  {"occurred_at", "2024-05-01T09:00:00Z"},
                  {"actor", {{"id", "svc/writer"}}},
                  {"subject", subject},
                  {"outcome", "SUCCESS"},
                  {"new_state_hash", next}};
    if (!prior.empty()) event["prior_state_hash"] = prior;
    auto e = codec::EventFromJsonValue(event);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    auto bytes = EncodeEvent(*e);
    EXPECT_TRUE(bytes.ok());
    auto stamp = MakeStamp(deployment_->origin, *bytes, *deployment_->submitter);
    EXPECT_TRUE(stamp.ok());
    return {{"event", event}, {"stamp", Base64Encode(*stamp)}};
  }

  // `event` stamped with ledgerd's own key (host.key: name, alg, seed hex).
  static json StampedByHost(const json& event) {
    std::istringstream file(Slurp(deployment_->P("host.key")));
    std::string name, alg, seed;
    file >> name >> alg >> seed;
    auto key = Ed25519PrivateKey::FromSeed(HexDecode(seed).value());
    EXPECT_TRUE(key.ok());
    auto signer = note::NewEd25519Signer(name, std::move(*key));
    auto bytes = EncodeEvent(codec::EventFromJsonValue(event).value()).value();
    return {{"event", event},
            {"stamp", Base64Encode(MakeStamp(deployment_->origin, bytes, *signer).value())}};
  }

  static httplib::Result PostState(const std::string& subject, const json& body) {
    return Client().Post("/v1/state/" + Encode(subject), body.dump(), "application/json");
  }

  // Verifies a state answer (as served) with the pinned key only.
  static Result<state_map::VerifiedState> Verify(const std::string& answer_json) {
    ASSIGN_OR_RETURN(auto answer, codec::StateProofFromJson(answer_json));
    ASSIGN_OR_RETURN(auto key, note::ParseVerifierKey(deployment_->vkey));
    return state_map::VerifyStateProof(answer, *key);
  }

  static uint64_t Metric(const std::string& name) {
    auto r = Client().Get("/metrics");
    if (!r) return 0;
    size_t at = r->body.find("\n" + name + " ");
    return at == std::string::npos ? 0 : std::stoull(r->body.substr(at + name.size() + 2));
  }

  static std::string H(const std::string& text) { return Sha256::Digest(AsBytes(text)).Hex(); }

  static inline Deployment* deployment_ = nullptr;
  static inline std::unique_ptr<Process> ledgerd_;
  static inline int port_ = 0;
};

TEST_F(LedgerdStateTest, CompareAndSwapAnswersWithTheStateAfterTheAppend) {
  const std::string subject = "policy/org-1";
  auto r = PostState(subject, StateEntry(subject, "cas-1", "", H("v1")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json doc = json::parse(r->body);
  EXPECT_FALSE(doc["duplicate"].get<bool>());
  auto v = Verify(doc["state"].dump());
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_TRUE(v->value.has_value());
  EXPECT_EQ(v->value->version, 1u);
  EXPECT_EQ(v->value->state.Hex(), H("v1"));
  EXPECT_EQ(v->value->index, doc["receipt"]["index"].get<uint64_t>());
  EXPECT_EQ(v->checkpoint.size, doc["receipt"]["tree_size"].get<uint64_t>());

  // The next version names the current one.
  r = PostState(subject, StateEntry(subject, "cas-2", H("v1"), H("v2")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  v = Verify(json::parse(r->body)["state"].dump());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->value->version, 2u);
  EXPECT_EQ(v->value->state.Hex(), H("v2"));

  // A retried request is answered with the original entry.
  r = PostState(subject, StateEntry(subject, "cas-2", H("v1"), H("v2")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(json::parse(r->body)["duplicate"].get<bool>());

  // A stale writer (it believes v1 is current) is refused, with the
  // current state and its proof.
  const uint64_t conflicts = Metric("ledgerd_state_conflicts_total");
  r = PostState(subject, StateEntry(subject, "cas-stale", H("v1"), H("v2-other")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 409) << r->body;
  doc = json::parse(r->body);
  EXPECT_EQ(doc["error"]["reason"], "state_conflict");
  auto current = Verify(doc["current"].dump());
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->value->state.Hex(), H("v2"));
  EXPECT_EQ(Metric("ledgerd_state_conflicts_total"), conflicts + 1);
  // The refusal is logged as one structured line naming what was refused.
  bool logged = false;
  std::istringstream log(Slurp(deployment_->P("ledgerd.log")));
  for (std::string line; std::getline(log, line);) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("request_id", "") != "req-cas-stale") continue;
    logged = true;
    EXPECT_EQ(j["reason"], "state_conflict");
    EXPECT_EQ(j["subject"], subject);
    EXPECT_EQ(j["offered_prior_state_hash"], H("v1"));
    EXPECT_EQ(j["current_state_hash"], H("v2"));
    EXPECT_EQ(j["current_version"], 2);
    EXPECT_EQ(j["event_digest"].get<std::string>().size(), 64u);
  }
  EXPECT_TRUE(logged) << Slurp(deployment_->P("ledgerd.log"));
  // A writer that believes the subject has no state yet is stale too.
  r = PostState(subject, StateEntry(subject, "cas-fresh", "", H("v9")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
}

TEST_F(LedgerdStateTest, BadStateRequestsAreRefusedWithStableReasons) {
  auto expect = [](httplib::Result r, int status, const std::string& reason) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(json::parse(r->body)["error"]["reason"], reason) << r->body;
  };
  // The path names another subject than the event.
  expect(PostState("svc/a", StateEntry("svc/b", "bad-1", "", H("x"))), 400, "subject_mismatch");
  // Another kind than STATE_NOTARIZED.
  json key = StateEntry("svc/a", "bad-2", "", H("x"));
  key["event"]["kind"] = "KEY_CREATED";
  key["event"].erase("new_state_hash");
  expect(PostState("svc/a", key), 400, "wrong_kind");
  // A subject of another service: the notary refuses it whatever the prior.
  expect(PostState("billing/db", StateEntry("billing/db", "bad-3", "", H("x"))), 409,
         "subject_not_granted");
  expect(Client().Post("/v1/state/svc%2Fa", "{", "application/json"), 400, "malformed_json");
  expect(Client().Post("/v1/state/svc%2Fa", "{}", "text/plain"), 415, "unsupported_media_type");
  // Queries.
  expect(Client().Get("/v1/state/svc%2Fa?at=0"), 400, "bad_at");
  expect(Client().Get("/v1/state/svc%2Fa?at=999999"), 404, "no_checkpoint");
  expect(Client().Get("/v1/state/svc%2Fa?x=1"), 400, "unknown_parameter");
  expect(Client().Get("/v1/state/svc%2Fa/history?limit=5000"), 400, "bad_limit");
  expect(Client().Get("/v1/state/svc%2Fa/history?cursor=01"), 400, "bad_cursor");
  expect(Client().Get("/v1/state/a%00b"), 400, "bad_subject");
  // An unknown subject: 200 with an absence proof that verifies.
  auto r = Client().Get("/v1/state/svc%2Fnever");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto v = Verify(r->body);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->value.has_value());
}

// Requests of one batch: a stale one is refused alone; the others, on the
// same subject or not, are sequenced.
TEST_F(LedgerdStateTest, AConflictingRequestFailsAloneInItsBatch) {
  const std::string subject = "svc/account-7";
  auto first = PostState(subject, StateEntry(subject, "batch-0", "", H("b0")));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const uint64_t round_trips = Metric("ledgerd_notary_round_trips_total");
  // Three writers race from b0: one wins; five other subjects start fresh.
  std::vector<std::future<httplib::Result>> racing, others;
  for (int i = 0; i < 3; ++i) {
    json body = StateEntry(subject, "batch-race-" + std::to_string(i), H("b0"),
                           H("b1-" + std::to_string(i)));
    racing.push_back(std::async(std::launch::async, [subject, body] { return PostState(subject, body); }));
  }
  for (int i = 0; i < 5; ++i) {
    const std::string other = "svc/batch-" + std::to_string(i);
    json body = StateEntry(other, "batch-other-" + std::to_string(i), "", H(other));
    others.push_back(std::async(std::launch::async, [other, body] { return PostState(other, body); }));
  }
  int won = 0, refused = 0;
  std::string winner;
  for (auto& f : racing) {
    auto r = f.get();
    ASSERT_TRUE(r);
    if (r->status == 200) {
      ++won;
      winner = Verify(json::parse(r->body)["state"].dump())->value->state.Hex();
    } else {
      EXPECT_EQ(r->status, 409) << r->body;
      EXPECT_EQ(json::parse(r->body)["error"]["reason"], "state_conflict");
      ++refused;
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(refused, 2);
  for (auto& f : others) {
    auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  // Fewer notary calls than requests: they were batched, and the refusal
  // did not turn into one call per request.
  EXPECT_LT(Metric("ledgerd_notary_round_trips_total") - round_trips, 8u);
  auto latest = Client().Get("/v1/state/" + Encode(subject));
  ASSERT_TRUE(latest);
  auto v = Verify(latest->body);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->value->version, 2u);
  EXPECT_EQ(v->value->state.Hex(), winner);
}

// A service keeps its state in its own file, notarizes each version, backs
// the file up, writes more versions and restores the old backup. On start it
// asks GET /v1/state and verifies the answer with the pinned key alone: the
// rollback is detected, its stale write is refused, and a host that serves a
// stale version, omits an update or forges a node is caught.
TEST_F(LedgerdStateTest, ServiceDetectsTheRollbackOfItsOwnDatabase) {
  const std::string subject = "svc/db";
  const std::string db = deployment_->P("service.db");
  const std::string backup = deployment_->P("service.db.bak");
  auto file_hash = [&] { return H(Slurp(db)); };
  std::string prior;
  std::vector<uint64_t> sizes;  // tree size after each version
  auto write_version = [&](int n) {
    std::ofstream(db, std::ios::trunc) << json{{"version", n}, {"balance", 100 * n}}.dump();
    const std::string next = file_hash();
    auto r = PostState(subject, StateEntry(subject, "svc-" + std::to_string(n), prior, next));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    sizes.push_back(json::parse(r->body)["receipt"]["tree_size"].get<uint64_t>());
    prior = next;
  };
  for (int n = 1; n <= 2; ++n) write_version(n);
  ASSERT_FALSE(HasFatalFailure());
  std::filesystem::copy_file(db, backup, std::filesystem::copy_options::overwrite_existing);
  for (int n = 3; n <= 4; ++n) write_version(n);
  ASSERT_FALSE(HasFatalFailure());
  std::filesystem::copy_file(backup, db, std::filesystem::copy_options::overwrite_existing);

  // Review F1: the host stamps, with its own key (admitted for
  // VERIFICATION_RUN), an entry that names svc/db with the stale v2 hash.
  // It used to become the latest state; the subject is not the host's.
  // clang-format off
  json forged_event = {{"kind", "VERIFICATION_RUN"},
                       {"event_id", "x"},
                       {"actor", {{"id", "ledgerd"}}},
                       {"subject", subject},
                       {"outcome", "SUCCESS"},
                       {"occurred_at", "2024-05-01T09:00:00Z"},
                       {"new_state_hash", file_hash()}};
  // clang-format on
  auto attack = Client().Post(
      "/v1/entries", json{{"entries", {StampedByHost(forged_event)}}}.dump(), "application/json");
  ASSERT_TRUE(attack);
  EXPECT_EQ(attack->status, 409) << attack->body;
  EXPECT_NE(attack->body.find("subject_not_granted"), std::string::npos) << attack->body;
  // With its own subject, the same key is still admitted: the refusal is
  // about ownership, not about the key.
  forged_event["subject"] = "verification/ledgerd";
  forged_event["event_id"] = "y";
  forged_event.erase("new_state_hash");
  auto own = Client().Post("/v1/entries", json{{"entries", {StampedByHost(forged_event)}}}.dump(),
                           "application/json");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;

  // The restored service starts: its file is v2, the notarized state is v4.
  auto r = Client().Get("/v1/state/" + Encode(subject));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string answer = r->body;
  auto v = Verify(answer);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->value->version, 4u);
  EXPECT_NE(v->value->state.Hex(), file_hash()) << "the rollback went unnoticed";
  EXPECT_EQ(v->value->state.Hex(), prior);
  // The same check with ledgerctl on the answer as served.
  const std::string saved = deployment_->P("state-answer.json");
  std::ofstream(saved) << answer;
  std::ofstream(deployment_->P("pinned.vkey")) << deployment_->vkey << "\n";
  auto ctl = Ctl({"verify-state", "--vkey", deployment_->P("pinned.vkey"), "--manifest",
                  deployment_->P("manifest.bin"), "--expect-state",
                  file_hash(), saved});
  EXPECT_NE(ctl.code, 0);
  EXPECT_NE(ctl.err.find("state_not_latest"), std::string::npos) << ctl.err;
  ctl = Ctl({"verify-state", "--vkey", deployment_->P("pinned.vkey"), "--manifest",
                  deployment_->P("manifest.bin"), "--expect-state", prior,
             saved});
  EXPECT_EQ(ctl.code, 0) << ctl.err;
  // The answer names who set the state; the service can require itself.
  EXPECT_EQ(json::parse(answer)["state"]["set_by"],
            (json{{"kind", "STATE_NOTARIZED"}, {"stamper", "kms.frontend"}}));
  ctl = Ctl({"verify-state", "--vkey", deployment_->P("pinned.vkey"), "--manifest",
             deployment_->P("manifest.bin"), "--expect-state", prior, "--stamper",
             "kms.frontend", "--kind", "STATE_NOTARIZED", saved});
  EXPECT_EQ(ctl.code, 0) << ctl.err;
  ctl = Ctl({"verify-state", "--vkey", deployment_->P("pinned.vkey"), "--manifest",
             deployment_->P("manifest.bin"), "--stamper", "ledgerd.host", saved});
  EXPECT_NE(ctl.err.find("state_setter_mismatch"), std::string::npos) << ctl.err;
  ctl = Ctl({"verify-state", "--vkey", deployment_->P("pinned.vkey"), "--manifest",
             deployment_->P("manifest.bin"), "--kind", "VERIFICATION_RUN", saved});
  EXPECT_NE(ctl.err.find("state_setter_mismatch"), std::string::npos) << ctl.err;

  // The restored service's next write names v2 as prior: refused, 409.
  r = PostState(subject, StateEntry(subject, "svc-stale", file_hash(), H("v3-from-backup")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;

  // A host serving the answer of an older checkpoint as the latest: it
  // verifies, but as of a size older than one the client has seen.
  r = Client().Get("/v1/state/" + Encode(subject) + "?at=" + std::to_string(sizes[1]));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto old = Verify(r->body);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->value->version, 2u);
  EXPECT_LT(old->checkpoint.size, v->checkpoint.size);
  std::ofstream(deployment_->P("stale-answer.json")) << r->body;
  ctl = Ctl({"verify-state", "--vkey", deployment_->P("pinned.vkey"), "--manifest",
                  deployment_->P("manifest.bin"), "--min-size",
             std::to_string(v->checkpoint.size), deployment_->P("stale-answer.json")});
  EXPECT_NE(ctl.err.find("stale_checkpoint"), std::string::npos) << ctl.err;

  // An omitted update: the latest checkpoint and map proof with the v2
  // entry (and its inclusion proof in that tree) in place of v4.
  auto history = Client().Get("/v1/state/" + Encode(subject) + "/history?at=" +
                              std::to_string(v->checkpoint.size));
  ASSERT_TRUE(history);
  ASSERT_EQ(history->status, 200) << history->body;
  json h = json::parse(history->body);
  ASSERT_EQ(h["versions"].size(), 4u);
  EXPECT_EQ(h["version"], 4);
  json forged = json::parse(answer);
  forged["entry"] = {{"index", h["versions"][1]["index"]},
                     {"leaf", h["versions"][1]["leaf"]},
                     {"inclusion_proof", h["versions"][1]["inclusion_proof"]}};
  // The map records v4's index: v2's entry is at another one, so its
  // inclusion proof cannot be the one for the recorded index.
  auto caught = Verify(forged.dump());
  ASSERT_FALSE(caught.ok());
  EXPECT_TRUE(caught.status().code() == Code::kVerificationFailed ||
              caught.status().code() == Code::kInvalidArgument)
      << caught.status();
  // Hiding the subject: no entry for a map proof of presence.
  forged = json::parse(answer);
  forged["entry"] = nullptr;
  caught = Verify(forged.dump());
  ASSERT_FALSE(caught.ok());
  EXPECT_EQ(caught.status().reason(), "state_entry_mismatch");
  // A forged node: one byte of the map proof changed (the leaf's value, or
  // a sibling), re-encoded so that it still parses.
  auto proof_bytes = Base64Decode(json::parse(answer)["map_proof"].get<std::string>()).value();
  for (size_t at : {size_t{2 + 32 + 47}, proof_bytes.size() - 1}) {
    Bytes b = proof_bytes;
    b[at] ^= 0x01;
    forged = json::parse(answer);
    forged["map_proof"] = Base64Encode(b);
    caught = Verify(forged.dump());
    ASSERT_FALSE(caught.ok()) << at;
    EXPECT_EQ(caught.status().reason(), "map_proof_mismatch") << caught.status();
  }
  // The checkpoint's map line replaced: the log key's signature breaks.
  forged = json::parse(answer);
  std::string cp = forged["checkpoint"].get<std::string>();
  const size_t line = cp.find("map ");
  ASSERT_NE(line, std::string::npos);
  cp[line + 4] = cp[line + 4] == '0' ? '1' : '0';
  forged["checkpoint"] = cp;
  caught = Verify(forged.dump());
  EXPECT_FALSE(caught.ok());
}

}  // namespace
}  // namespace ledger::ledgerd::testing
