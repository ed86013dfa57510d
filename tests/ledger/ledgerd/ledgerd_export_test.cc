// The export link and scheduled self-verification with real processes: a
// provisioned notary (sim), ledgerd with its host key, export tokens and
// --verify-every, and the read-only explorer following its store with
// --export-url. The explorer's search hands its filter to ledgerd's
// /v1/export; the downloaded bundle verifies offline with verify-bundle and
// a tampered copy fails on the right check. Every self-verification run is a
// VERIFICATION_RUN entry; a tampered backup is recorded as a failed run and
// makes /healthz say so.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/base/hash.h"
#include "ledger/bundle/archive.h"
#include "ledger/bundle/bundle.h"
#include "ledger/codec/event_json.h"
#include "ledger/record/stamp.h"
#include "ledger/store/kv.h"
#include "ledgerd_fixture.h"
#include "local_tsa.h"
#include "ledger_test_paths.h"

namespace ledger::ledgerd::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kToken[] = "s3cret-token-of-the-auditor";

// Flips one byte in the middle of the first stored leaf of the RocksDB store
// in `dir`, as an attacker with write access to the disk would.
void FlipAByteOfTheFirstLeaf(const std::string& dir) {
  store::RocksDbOptions o;
  auto kv = store::OpenRocksDb(dir, o);
  ASSERT_TRUE(kv.ok()) << kv.status();
  std::optional<std::pair<Bytes, Bytes>> found;
  ASSERT_TRUE((*kv)->Scan(store::Column::kLeaves, {}, {}, false, [&](ByteView k, ByteView v) {
                    found.emplace(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
                    return false;
                  }).ok());
  ASSERT_TRUE(found);
  found->second[found->second.size() / 2] ^= 1;
  store::WriteBatch wb;
  wb.Put(store::Column::kLeaves, found->first, found->second);
  ASSERT_TRUE((*kv)->Write(wb).ok());
}

class LedgerdExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    d_ = new Deployment();
    d_->dir_prefix = "ledgerd-export-test";
    d_->host_kinds = "EXPORT_CREATED,VERIFICATION_RUN";
    d_->Create();
    if (::testing::Test::HasFatalFailure()) return;
    std::ofstream(d_->P("tokens")) << "auditor@example.com:" << Sha256::Digest(kToken).Hex()
                                   << "\n";
  }
  static void TearDownTestSuite() {
    if (d_) d_->Destroy();
    delete d_;
    d_ = nullptr;
  }
  void TearDown() override {
    explorer_.reset();
    ledgerd_.reset();
  }

  void StartLedgerd(std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--host-key", d_->P("host.key"), "--export-tokens",
                                      d_->P("tokens")};
    flags.insert(flags.end(), extra.begin(), extra.end());
    port_ = d_->StartLedgerd(ledgerd_, flags);
    ASSERT_GT(port_, 0) << Slurp(d_->P("ledgerd.log"));
  }
  void StartExplorer() {
    explorer_ = std::make_unique<Process>(
        std::vector<std::string>{EXPLORER_BIN, "--data", d_->P("log"), "--listen", "127.0.0.1:0",
                                 "--refresh-ms", "0", "--export-url",
                                 "http://127.0.0.1:" + std::to_string(port_)},
        d_->P("explorer.log"));
    const std::string line = explorer_->ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line << Slurp(d_->P("explorer.log"));
    explorer_port_ = std::stoi(line.substr(prefix.size()));
  }
  httplib::Client Ledgerd() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }
  httplib::Client Explorer() const {
    httplib::Client c("127.0.0.1", explorer_port_);
    c.set_read_timeout(60, 0);
    return c;
  }

  // Appends `n` events, actor alternating between alice and bob.
  void Append(const std::string& prefix, int n) {
    nlohmann::json body = {{"entries", nlohmann::json::array()}};
    for (int i = 0; i < n; ++i) {
      nlohmann::json event = SampleEvent(prefix + std::to_string(i));
      event["actor"]["id"] = i % 2 == 0 ? "user/alice" : "user/bob";
      auto bytes = EncodeEvent(codec::EventFromJsonValue(event).value()).value();
      auto stamp = MakeStamp(d_->origin, bytes, *d_->submitter).value();
      body["entries"].push_back({{"event", event}, {"stamp", Base64Encode(stamp)}});
    }
    auto r = Ledgerd().Post("/v1/entries", body.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  std::string Metric(const std::string& name) {
    auto r = Ledgerd().Get("/metrics");
    if (!r) return "";
    const std::string& m = r->body;
    size_t at = m.find("\n" + name + " ");
    if (at == std::string::npos) return "";
    at += name.size() + 2;
    return m.substr(at, m.find('\n', at) - at);
  }

  // Waits up to 60 s for the metric to reach at least `value`.
  bool WaitMetric(const std::string& name, uint64_t value) {
    for (int i = 0; i < 600; ++i) {
      std::string v = Metric(name);
      if (!v.empty() && std::stoull(v) >= value) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // The explorer's search for `query` (it follows ledgerd's writes).
  nlohmann::json Search(const std::string& query) {
    auto r = Explorer().Get("/v1/entries?" + query);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return nlohmann::json::parse(r->body);
  }

  static Deployment* d_;
  std::unique_ptr<Process> ledgerd_, explorer_;
  int port_ = 0, explorer_port_ = 0;
};

Deployment* LedgerdExportTest::d_ = nullptr;

TEST_F(LedgerdExportTest, ExplorerLinkExportsTheFilterThroughLedgerdAndTheBundleVerifies) {
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  StartExplorer();
  Append("exp-", 12);
  // The search's export link is ledgerd's /v1/export with the same filter.
  nlohmann::json page = Search("actor=user%2Fbob&kind=KEY_CREATED&limit=5");
  ASSERT_TRUE(page["export"].is_string()) << page.dump();
  const std::string link = page["export"].get<std::string>();
  const std::string prefix = "http://127.0.0.1:" + std::to_string(port_) + "/v1/export?";
  ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
  EXPECT_NE(link.find("actor=user%2Fbob"), std::string::npos) << link;
  EXPECT_EQ(link.find("limit"), std::string::npos) << link;
  const std::string path = link.substr(link.find("/v1/export"));

  // Without credentials (as a browser following the link first does): 401
  // and a Basic challenge; a wrong token is refused the same way.
  auto anonymous = Ledgerd().Get(path);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401) << anonymous->body;
  EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate").rfind("Basic ", 0), 0u);
  auto wrong = Ledgerd();
  wrong.set_basic_auth("auditor@example.com", "guess");
  EXPECT_EQ(wrong.Get(path)->status, 401);

  auto client = Ledgerd();
  client.set_basic_auth("auditor@example.com", kToken);
  auto r = client.Get(path);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-tar");
  const std::string tar = d_->P("export.tar");
  std::ofstream(tar, std::ios::binary) << r->body;

  auto files = bundle::ReadTar(r->body).value();
  auto manifest = nlohmann::json::parse(files[bundle::kExportManifest]);
  EXPECT_EQ(manifest["requester"], "auditor@example.com");
  EXPECT_EQ(manifest["scope"]["filter"]["actor"], "user/bob");
  EXPECT_EQ(manifest["scope"]["filter"]["kind"], "KEY_CREATED");
  EXPECT_EQ(manifest["counts"]["entries"], 6u);  // bob's six of the twelve
  auto receipt = nlohmann::json::parse(files[bundle::kExportReceipt]);
  EXPECT_EQ(receipt["entry"]["event"]["kind"], "EXPORT_CREATED");
  EXPECT_EQ(receipt["entry"]["event"]["actor"]["id"], "auditor@example.com");
  EXPECT_EQ(receipt["entry"]["event"]["actor"]["auth_method"], "http-basic-token");

  auto verified = Ctl({"verify-bundle", "--vkey", d_->P("log.vkey"), "--manifest", d_->P("manifest.bin"), tar});
  EXPECT_EQ(verified.code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("PASS  entries.range"), std::string::npos) << verified.out;

  // The export is on record: the explorer finds the EXPORT_CREATED entry.
  nlohmann::json exports;
  for (int i = 0; i < 100; ++i) {
    exports = Search("kind=EXPORT_CREATED");
    if (!exports["entries"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(exports["entries"].size(), 1u) << exports.dump();
  EXPECT_EQ(exports["entries"][0]["event"]["actor"]["id"], "auditor@example.com");

  // Tampered copies fail on the check named after what was changed.
  auto tampered = [&](const std::string& name, const std::function<void(bundle::Files&)>& edit) {
    bundle::Files f = files;
    edit(f);
    const std::string dir = d_->P("tampered-" + name);
    fs::remove_all(dir);
    EXPECT_TRUE(bundle::WriteBundleDir(f, dir).ok());
    auto out = Ctl({"verify-bundle", "--vkey", d_->P("log.vkey"), "--manifest", d_->P("manifest.bin"), "--json", dir});
    EXPECT_EQ(out.code, 1) << out.out << out.err;
    auto j = nlohmann::json::parse(out.out, nullptr, false);
    for (const auto& c : j["checks"]) {
      if (c["name"] == name) return c["result"].get<std::string>();
    }
    return std::string("absent");
  };
  EXPECT_EQ(tampered("report.csv",
                     [](bundle::Files& f) {
                       std::string& csv = f[bundle::kEntriesCsv];
                       csv.replace(csv.find("user/bob"), 8, "user/eve");
                       std::vector<std::string> data;
                       for (const auto& [p, unused] : f) {
                         if (p.starts_with("data/")) data.push_back(p);
                       }
                       f[bundle::kManifestSha256] = bundle::RenderBagManifest(f, data);
                     }),
            "FAIL");
  EXPECT_EQ(tampered("bag.manifest",
                     [](bundle::Files& f) { f[bundle::kRangeJsonl].insert(0, " "); }),
            "FAIL");
}

TEST_F(LedgerdExportTest, ExportsAreTimeStampedByTheConfiguredTsa) {
  ASSERT_FALSE(HasFatalFailure());
  const std::string rfc3161 = std::string(LEDGER_TEST_VECTORS) + "/rfc3161";
  ledger::testing::LocalTsa tsa(rfc3161, d_->P("tsa"));
  const std::string ca = rfc3161 + "/sample/ca.crt";
  StartLedgerd({"--tsa-url", tsa.url(), "--tsa-ca", ca});
  Append("tsa-", 4);
  auto client = Ledgerd();
  client.set_basic_auth("auditor@example.com", kToken);
  auto r = client.Get("/v1/export?actor=user%2Falice");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(tsa.requests(), 1);
  auto files = bundle::ReadTar(r->body).value();
  EXPECT_TRUE(files.contains(bundle::kExportTimestamp));
  const std::string tar = d_->P("export-tsa.tar");
  std::ofstream(tar, std::ios::binary) << r->body;
  auto verified = Ctl({"verify-bundle", "--vkey", d_->P("log.vkey"), "--manifest", d_->P("manifest.bin"), "--tsa-ca", ca, tar});
  EXPECT_EQ(verified.code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("PASS  export.timestamp"), std::string::npos) << verified.out;
  // A TSA that is down fails the export (503) and records nothing.
  tsa.fail_with_status(503);
  const uint64_t size = std::stoull(Metric("ledgerd_store_size"));
  auto down = client.Get("/v1/export?actor=user%2Falice");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503) << down->body;
  EXPECT_NE(down->body.find("tsa_unavailable"), std::string::npos) << down->body;
  EXPECT_EQ(std::stoull(Metric("ledgerd_store_size")), size);
}

TEST_F(LedgerdExportTest, ExportNeedsConfigurationAndGoodFilters) {
  ASSERT_FALSE(HasFatalFailure());
  // Without export tokens /v1/export is off.
  port_ = d_->StartLedgerd(ledgerd_, {"--host-key", d_->P("host.key")});
  ASSERT_GT(port_, 0);
  auto off = Ledgerd().Get("/v1/export");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 503);
  EXPECT_NE(off->body.find("export_not_configured"), std::string::npos) << off->body;
  ledgerd_.reset();
  // --export-tokens without --host-key cannot work: a usage error.
  Process bad({LEDGERD_BIN, "--data", d_->P("log"), "--export-tokens", d_->P("tokens")},
              d_->P("ledgerd-bad.log"));
  EXPECT_EQ(bad.Wait(), 2);

  StartLedgerd();
  auto client = Ledgerd();
  client.set_basic_auth("auditor@example.com", kToken);
  auto r = client.Get("/v1/export?kind=NOT_A_KIND");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("unknown_event_kind"), std::string::npos) << r->body;
  // No match is an answer too: a bundle with no entries, which its range's
  // neighbouring leaves prove empty (export-bundle.md §3.2).
  r = client.Get("/v1/export?request_id=req-none-such");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto files = bundle::ReadTar(r->body).value();
  EXPECT_EQ(nlohmann::json::parse(files[bundle::kExportManifest])["counts"]["entries"], 0u);
  const std::string tar = d_->P("export-none.tar");
  std::ofstream(tar, std::ios::binary) << r->body;
  auto verified = Ctl({"verify-bundle", "--vkey", d_->P("log.vkey"), "--manifest",
                       d_->P("manifest.bin"), tar});
  EXPECT_EQ(verified.code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("PASS  entries.boundaries"), std::string::npos) << verified.out;
}

TEST_F(LedgerdExportTest, EachVerificationRunIsRecordedAndATamperedBackupFails) {
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  Append("ver-", 4);
  ledgerd_.reset();
  // An operator's backup: a copy of the stopped store.
  const std::string backup = d_->P("backup");
  fs::remove_all(backup);
  fs::copy(d_->P("log/store"), backup, fs::copy_options::recursive);
  StartLedgerd({"--verify-every", "1", "--verify-backup", backup});
  StartExplorer();
  ASSERT_TRUE(WaitMetric("ledgerd_verification_recorded_total", 1))
      << Slurp(d_->P("ledgerd.log"));
  EXPECT_EQ(Metric("ledgerd_verification_failed"), "0");
  nlohmann::json runs;
  for (int i = 0; i < 100; ++i) {
    runs = Search("kind=VERIFICATION_RUN");
    if (!runs["entries"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(runs["entries"].empty());
  const nlohmann::json ok = runs["entries"][0]["event"];
  EXPECT_EQ(ok["outcome"], "SUCCESS") << ok.dump();
  EXPECT_EQ(ok["subject"], "verification/ledgerd");
  EXPECT_EQ(ok["attributes"]["result"], "ok") << ok.dump();
  EXPECT_EQ(ok["attributes"]["checked"], "store,backup");
  EXPECT_FALSE(ok["attributes"]["backup_size"].get<std::string>().empty());
  ledgerd_.reset();
  explorer_.reset();

  // One flipped byte in a leaf of the backup.
  ASSERT_NO_FATAL_FAILURE(FlipAByteOfTheFirstLeaf(backup));
  StartLedgerd({"--verify-every", "1", "--verify-backup", backup});
  StartExplorer();
  ASSERT_TRUE(WaitMetric("ledgerd_verification_failed", 1)) << Slurp(d_->P("ledgerd.log"));
  // The failed run is on record, and /healthz says so.
  auto h = Ledgerd().Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 503);
  EXPECT_NE(h->body.find("verification_failed"), std::string::npos) << h->body;
  nlohmann::json failed;
  for (int i = 0; i < 100; ++i) {
    failed = Search("kind=VERIFICATION_RUN&outcome=ERROR");
    if (!failed["entries"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(failed["entries"].empty()) << Slurp(d_->P("ledgerd.log"));
  const nlohmann::json bad = failed["entries"][0]["event"];
  EXPECT_EQ(bad["attributes"]["result"], "failed");
  EXPECT_NE(bad["attributes"]["first_failure"].get<std::string>().find("backup"),
            std::string::npos)
      << bad.dump();
}

TEST_F(LedgerdExportTest, ATamperedLiveStoreStopsAppendsWithoutARecord) {
  ASSERT_FALSE(HasFatalFailure());
  StartLedgerd();
  Append("live-", 2);
  ledgerd_.reset();
  const std::string pristine = d_->P("pristine");
  fs::remove_all(pristine);
  fs::copy(d_->P("log/store"), pristine, fs::copy_options::recursive);
  ASSERT_NO_FATAL_FAILURE(FlipAByteOfTheFirstLeaf(d_->P("log/store")));
  StartLedgerd({"--audit-on-start", "off", "--verify-every", "1"});
  ASSERT_TRUE(WaitMetric("ledgerd_store_corrupt", 1)) << Slurp(d_->P("ledgerd.log"));
  EXPECT_EQ(Metric("ledgerd_verification_failures_total"), "1");
  auto h = Ledgerd().Get("/healthz");
  EXPECT_EQ(h->status, 503) << h->body;
  EXPECT_EQ(Metric("ledgerd_verification_recorded_total"), "0");
  ledgerd_.reset();
  // Later tests start from the honest store.
  fs::remove_all(d_->P("log/store"));
  fs::copy(pristine, d_->P("log/store"), fs::copy_options::recursive);
}

}  // namespace
}  // namespace ledger::ledgerd::testing
