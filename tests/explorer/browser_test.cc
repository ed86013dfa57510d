// The auditor UI in Debian's headless Chromium against a real explorer: the
// honest log verifies in the browser with the pinned key (by the verifier
// package clients/js, which the explorer serves under /lib/); a wrong pinned
// key, a tampered tile and a tampered checkpoint (served by an explorer
// started with the test-only --tamper flag) are shown as failed with the
// package's reason. Each
// page is kept as a screenshot in the build tree (EXPLORER_SCREENSHOT_DIR).
#include <filesystem>
#include <fstream>
#include <regex>

#include "explorer_fixture.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"

namespace explorer::testing {
namespace {

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

class Browser {
 public:
  Browser() {
    profile_ = std::filesystem::temp_directory_path() /
               ("explorer-chromium-" + std::to_string(::getpid()) + "-" + std::to_string(++runs_));
  }
  ~Browser() { std::filesystem::remove_all(profile_); }

  // The DOM after the page's scripts ran (document.body.dataset.ready).
  std::string DumpDom(const std::string& url) { return Run({"--dump-dom", url}); }
  void Screenshot(const std::string& url, const std::string& name) {
    std::filesystem::create_directories(EXPLORER_SCREENSHOT_DIR);
    Run({"--screenshot=" + std::string(EXPLORER_SCREENSHOT_DIR) + "/" + name + ".png",
         "--window-size=1280,1000", url});
  }

 private:
  // popen: the whole of stdout, however long, until chromium exits.
  std::string Run(std::vector<std::string> args) {
    std::filesystem::remove_all(profile_);  // a fresh profile: no saved pins
    std::string cmd = "timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic "
                      "--no-first-run --disable-background-networking "
                      "--disable-component-update --disable-sync --virtual-time-budget=20000 "
                      "--user-data-dir='" + profile_.string() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";  // URLs and paths have no quote
    cmd += " 2>>'" + profile_.string() + ".log'";
    std::string out;
    if (FILE* f = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
      ::pclose(f);
    }
    return out;
  }

  std::filesystem::path profile_;
  static inline int runs_ = 0;
};

std::string StateOf(const std::string& dom, const std::string& id) {
  std::smatch m;
  std::regex re("id=\"" + id + "\"[^>]*data-state=\"([a-z]+)\"|data-state=\"([a-z]+)\"[^>]*id=\"" + id + "\"");
  if (!std::regex_search(dom, m, re)) return "";
  return m[1].matched ? m[1].str() : m[2].str();
}

size_t Count(const std::string& dom, const std::string& needle) {
  size_t n = 0;
  for (size_t at = dom.find(needle); at != std::string::npos; at = dom.find(needle, at + 1)) ++n;
  return n;
}

// The entry indices of the timeline's table, in the order shown.
std::vector<uint64_t> ListedIndices(const std::string& dom) {
  std::vector<uint64_t> out;
  size_t table = dom.find("id=\"entries-table\"");
  if (table == std::string::npos) return out;
  std::string rest = dom.substr(table, dom.find("</table>", table) - table);
  std::regex re("data-index=\"([0-9]+)\"");
  for (std::sregex_iterator it(rest.begin(), rest.end(), re), end; it != end; ++it) {
    out.push_back(std::stoull((*it)[1].str()));
  }
  return out;
}

// A screenshot the test took: a PNG of some substance (an empty or blank
// page compresses to a few kilobytes at this size).
void ExpectScreenshot(const std::string& name) {
  std::filesystem::path png = std::filesystem::path(EXPLORER_SCREENSHOT_DIR) / (name + ".png");
  ASSERT_TRUE(std::filesystem::exists(png)) << png;
  EXPECT_GT(std::filesystem::file_size(png), 20000u) << png;
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  EXPECT_EQ(std::string(magic, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << png;
}

class BrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists("/usr/bin/chromium")) return;
    log_ = new TestLog("browser");
    log_->Append(700, 250);
    AppendBootEntry(*log_);
    AppendAnchor(*log_);
    AppendDenied(*log_);
    // The latest checkpoint is cosigned by a witness.
    log_->AppendEvents(ledger::testing::MakeBatch(log_->store().size(), 5), {},
                       TestWitness(0x11).get());
  }
  static void TearDownTestSuite() { delete log_; }
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed (ops/setup)";
  }

  // Pins the log key and, by default, the witness that cosigned the latest
  // checkpoint with quorum 1: the UI refuses a checkpoint without its
  // pinned witness quorum.
  static std::string Pinned(const ExplorerProcess& e, const std::string& route,
                            const std::string& vkey = LogVkey(),
                            const std::string& witness = TestWitness(0x11)->VerifierKey(),
                            const std::string& extra = "&quorum=1") {
    std::string sep = route.find('?') == std::string::npos ? "?" : "&";
    std::string url = e.base() + "/#" + route + sep + "vkey=" + UrlEncode(vkey);
    return (witness.empty() ? url : url + "&witness=" + UrlEncode(witness)) + extra;
  }

  // The page of `route` served by an explorer started with --tamper `mode`,
  // kept as screenshot `name`.
  static std::string TamperedPage(const std::string& mode, const std::string& route,
                                  const std::string& name) {
    ExplorerProcess explorer(log_->dir(), {"--tamper", mode});
    EXPECT_GT(explorer.port(), 0) << mode;
    Browser browser;
    std::string url = Pinned(explorer, route);
    std::string dom = browser.DumpDom(url);
    browser.Screenshot(url, name);
    return dom;
  }

  static inline TestLog* log_ = nullptr;
};

TEST_F(BrowserTest, HonestLogVerifiesOnEveryPage) {
  ExplorerProcess explorer(log_->dir());
  ASSERT_GT(explorer.port(), 0);
  Browser browser;
  struct Page { std::string name, route, expect; };
  std::vector<Page> pages = {
      {"timeline", "/entries?kind=KEY_CREATED", "KEY_CREATED"},
      {"entry", "/entry/5", "evt-5"},
      {"checkpoints", "/checkpoints", "Anchors"},
      {"attestation", "/attestation", "i-test-enc"},
      {"history", "/history?subject=key/k-3", "History of key/k-3"},
      {"pins", "/pins", "Pinned keys"},
  };
  for (const auto& page : pages) {
    std::string url = Pinned(explorer, page.route);
    std::string dom = browser.DumpDom(url);
    EXPECT_EQ(StateOf(dom, "verify-status"), "verified") << page.name << "\n" << dom.substr(0, 3000);
    EXPECT_NE(dom.find(page.expect), std::string::npos) << page.name;
    EXPECT_EQ(dom.find("page-error"), std::string::npos) << page.name;
    browser.Screenshot(url, page.name);
  }
  // The subject page verifies the latest state in the browser (map proof
  // to the signed map root, inclusion of the latest entry), and absence.
  std::string subject = browser.DumpDom(Pinned(explorer, "/history?subject=key/k-3"));
  EXPECT_EQ(StateOf(subject, "state-status"), "verified") << subject.substr(0, 3000);
  std::string absent = browser.DumpDom(Pinned(explorer, "/history?subject=key/none"));
  EXPECT_EQ(StateOf(absent, "state-status"), "verified") << absent.substr(0, 3000);
  EXPECT_NE(absent.find("absence proof"), std::string::npos);
  // The entry page verifies the entry's own receipt too.
  std::string entry = browser.DumpDom(Pinned(explorer, "/entry/700"));
  EXPECT_EQ(StateOf(entry, "entry-status"), "verified") << entry.substr(0, 3000);
}

TEST_F(BrowserTest, PinnedWitnessCosignatureVerifies) {
  ExplorerProcess explorer(log_->dir());
  Browser browser;
  std::string url = Pinned(explorer, "/checkpoints", LogVkey(), TestWitness(0x11)->VerifierKey());
  std::string dom = browser.DumpDom(url);
  EXPECT_EQ(StateOf(dom, "verify-status"), "verified") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("witness.example/w1: verified"), std::string::npos) << dom.substr(0, 2000);
  browser.Screenshot(url, "witness-verified");
  // Another key under the witness's name: its cosignature line does not
  // match the pinned key ID, so the cosignature is missing, not accepted,
  // and the checkpoint lacks its pinned quorum.
  std::string other = Pinned(explorer, "/", LogVkey(), TestWitness(0x12)->VerifierKey());
  dom = browser.DumpDom(other);
  EXPECT_EQ(StateOf(dom, "verify-status"), "failed") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("witness_quorum_not_met"), std::string::npos) << dom.substr(0, 2000);
}

// A checkpoint signed by the log key alone may be the one the notary signs
// on a rolled-back head at a restart: the UI refuses it unless the auditor
// pinned the witness quorum it meets, or explicitly accepts unwitnessed
// checkpoints (or pinned a deployment without witnesses, quorum=0).
TEST_F(BrowserTest, TheLogKeyAloneIsNotEnough) {
  ExplorerProcess explorer(log_->dir());
  Browser browser;
  std::string url = Pinned(explorer, "/", LogVkey(), "", "");
  std::string dom = browser.DumpDom(url);
  EXPECT_EQ(StateOf(dom, "verify-status"), "failed") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("no witness quorum pinned"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("witness_pins_missing"), std::string::npos) << dom.substr(0, 2000);
  browser.Screenshot(url, "no-witness-quorum");
  // The state answer and the entry receipt are refused the same way.
  dom = browser.DumpDom(Pinned(explorer, "/history?subject=key/k-3", LogVkey(), "", ""));
  EXPECT_EQ(StateOf(dom, "state-status"), "failed") << dom.substr(0, 3000);
  dom = browser.DumpDom(Pinned(explorer, "/entry/700", LogVkey(), "", ""));
  EXPECT_EQ(StateOf(dom, "entry-status"), "failed") << dom.substr(0, 3000);
  // Two witnesses pinned, quorum 2: only one cosigned.
  dom = browser.DumpDom(Pinned(explorer, "/", LogVkey(), TestWitness(0x11)->VerifierKey(),
                               "&witness=" + UrlEncode(TestWitness(0x13)->VerifierKey()) +
                                   "&quorum=2"));
  EXPECT_EQ(StateOf(dom, "verify-status"), "failed") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("1 of 2 required witnesses"), std::string::npos) << dom.substr(0, 2000);
  // Explicitly accepted, or a deployment pinned with quorum 0.
  dom = browser.DumpDom(Pinned(explorer, "/", LogVkey(), "", "&unwitnessed=1"));
  EXPECT_EQ(StateOf(dom, "verify-status"), "verified") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("you accepted unwitnessed checkpoints"), std::string::npos);
  dom = browser.DumpDom(Pinned(explorer, "/", LogVkey(), "", "&quorum=0"));
  EXPECT_EQ(StateOf(dom, "verify-status"), "verified") << dom.substr(0, 2000);
}

TEST_F(BrowserTest, NothingIsVerifiedWithoutAPinnedKey) {
  ExplorerProcess explorer(log_->dir());
  Browser browser;
  std::string url = explorer.base() + "/#/";
  std::string dom = browser.DumpDom(url);
  EXPECT_EQ(StateOf(dom, "verify-status"), "unpinned") << dom.substr(0, 2000);
  browser.Screenshot(url, "unpinned");
}

TEST_F(BrowserTest, AnotherKeyWithTheLogsNameFails) {
  ExplorerProcess explorer(log_->dir());
  Browser browser;
  auto other = ledger::Ed25519PrivateKey::FromSeed(ledger::Bytes(32, 0x07)).value();
  std::string wrong =
      ledger::note::NewEd25519Verifier(ledger::testing::kOrigin, other.public_key())->VerifierKey();
  std::string url = Pinned(explorer, "/", wrong);
  std::string dom = browser.DumpDom(url);
  EXPECT_EQ(StateOf(dom, "verify-status"), "failed") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("no signature by the pinned log key"), std::string::npos);
  EXPECT_NE(dom.find("unverified_note"), std::string::npos) << dom.substr(0, 2000);
  browser.Screenshot(url, "wrong-key");
}

// The timeline lists the newest entries first; the toggle lists the oldest
// first, and the next page continues from the first page's head.
TEST_F(BrowserTest, TimelineIsNewestFirstWithAToggle) {
  ExplorerProcess explorer(log_->dir());
  ASSERT_GT(explorer.port(), 0);
  Browser browser;
  const uint64_t size = log_->store().size();
  std::string url = Pinned(explorer, "/entries");
  std::string dom = browser.DumpDom(url);
  EXPECT_NE(dom.find("data-order=\"desc\""), std::string::npos) << dom.substr(0, 3000);
  std::vector<uint64_t> newest = ListedIndices(dom);
  ASSERT_EQ(newest.size(), 50u) << dom.substr(0, 3000);
  for (size_t i = 0; i < newest.size(); ++i) EXPECT_EQ(newest[i], size - 1 - i);
  std::smatch toggle;
  ASSERT_TRUE(std::regex_search(dom, toggle, std::regex("href=\"#(/entries\\?[^\"]*)\" id=\"order-toggle\"")))
      << dom.substr(0, 3000);
  EXPECT_EQ(toggle[1].str(), "/entries?order=asc");
  std::smatch next;
  ASSERT_TRUE(std::regex_search(dom, next, std::regex("href=\"#(/entries\\?[^\"]*)\" id=\"next-page\"")));
  EXPECT_EQ(next[1].str(), "/entries?tree_size=" + std::to_string(size) + "&amp;cursor=" +
                               std::to_string(size - 51));
  browser.Screenshot(url, "timeline-newest-first");
  ExpectScreenshot("timeline-newest-first");

  std::string oldest_url = Pinned(explorer, toggle[1].str());
  dom = browser.DumpDom(oldest_url);
  EXPECT_NE(dom.find("data-order=\"asc\""), std::string::npos) << dom.substr(0, 3000);
  std::vector<uint64_t> oldest = ListedIndices(dom);
  ASSERT_EQ(oldest.size(), 50u);
  for (size_t i = 0; i < oldest.size(); ++i) EXPECT_EQ(oldest[i], i);
  EXPECT_NE(dom.find(">Show newest first<"), std::string::npos);
  browser.Screenshot(oldest_url, "timeline-oldest-first");
  ExpectScreenshot("timeline-oldest-first");
  // The second page, newest first: the 50 entries before the first page's.
  std::vector<uint64_t> second =
      ListedIndices(browser.DumpDom(Pinned(explorer, "/entries?tree_size=" + std::to_string(size) +
                                                         "&cursor=" + std::to_string(size - 51))));
  ASSERT_EQ(second.size(), 50u);
  EXPECT_EQ(second.front(), size - 51);
  EXPECT_EQ(second.back(), size - 100);
}

// The charts of a log with known kinds, outcomes, hours and witnesses
// (AppendChartLog): 24 hourly bars with 6 non-empty segments in 5 series;
// a track for each of the two witnesses and the anchor, at their sizes.
TEST_F(BrowserTest, ChartsDrawTheLogsActivityAndWitnessing) {
  TestLog log("charts");
  AppendChartLog(log);
  ExplorerProcess explorer(log.dir());
  ASSERT_GT(explorer.port(), 0);
  Browser browser;
  const std::string w1 = TestWitness(0x21, "witness.example/w1")->VerifierKey();
  std::string url = Pinned(explorer, "/", LogVkey(), w1);
  std::string dom = browser.DumpDom(url);
  EXPECT_EQ(StateOf(dom, "verify-status"), "verified") << dom.substr(0, 3000);
  EXPECT_EQ(dom.find("chart-error"), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find("data-bars=\"24\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find("data-series=\"5\""), std::string::npos);
  EXPECT_EQ(Count(dom, "class=\"bar\""), 24u);
  EXPECT_EQ(Count(dom, "class=\"segment\""), 6u);
  EXPECT_EQ(Count(dom, "class=\"legend-item\""), 5u);
  for (const char* s : {"KEY_CREATED SUCCESS", "SIGNATURE_PRODUCED DENIED", "SIGNATURE_PRODUCED SUCCESS",
                        "KEY_ROTATED ERROR", "ANCHOR_CONFIRMED SUCCESS"}) {
    EXPECT_NE(dom.find("data-series=\"" + std::string(s) + "\""), std::string::npos) << s;
  }
  // The text alternative: the SVG's label, and a title per bar and segment.
  EXPECT_NE(dom.find("aria-label=\"Entries per hour by kind and outcome, 24 hours"), std::string::npos);
  EXPECT_NE(dom.find("<title>2023-11-14T23:00:00Z: 6 entries</title>"), std::string::npos);
  EXPECT_NE(dom.find("<title>2023-11-14T21:00:00Z: 3 KEY_CREATED SUCCESS</title>"), std::string::npos);
  browser.Screenshot(url, "chart-entries-per-hour");
  ExpectScreenshot("chart-entries-per-hour");
  // Another window: the 4 hours of the log, the same segments.
  dom = browser.DumpDom(Pinned(explorer, "/entries?hours=4", LogVkey(), w1));
  EXPECT_NE(dom.find("data-bars=\"4\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(Count(dom, "class=\"segment\""), 6u);
  EXPECT_NE(dom.find("href=\"#/entries?hours=24\""), std::string::npos);

  url = Pinned(explorer, "/checkpoints", LogVkey(), w1);
  dom = browser.DumpDom(url);
  EXPECT_EQ(dom.find("chart-error"), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find("data-tracks=\"3\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(Count(dom, "class=\"track\""), 3u);
  EXPECT_NE(dom.find("data-name=\"witness.example/w1\" data-size=\"13\""), std::string::npos);
  EXPECT_NE(dom.find("data-name=\"witness.example/w2\" data-size=\"5\""), std::string::npos);
  EXPECT_NE(dom.find("data-kind=\"anchor\" data-name=\"anchor (chain 31337)\" data-size=\"10\""),
            std::string::npos);
  // How long ago: the witnesses cosigned just now, the anchor is of 2023.
  EXPECT_NE(dom.find("witness.example/w2: size 5 of 13 (8 behind), "), std::string::npos);
  EXPECT_NE(dom.find("anchor (chain 31337): size 10 of 13 (3 behind), "), std::string::npos);
  EXPECT_NE(dom.find(" s ago"), std::string::npos);
  EXPECT_NE(dom.find(" d ago"), std::string::npos);
  browser.Screenshot(url, "chart-witnessing");
  ExpectScreenshot("chart-witnessing");
}

// The tampering explorer exists only in builds with LEDGER_TEST_HOOKS
// (explorer/src/tamper.h); ops/test builds with it.
#ifdef LEDGER_TEST_HOOKS
TEST_F(BrowserTest, TamperedTileFails) {
  std::string dom = TamperedPage("tile", "/", "tampered-tile");
  EXPECT_EQ(StateOf(dom, "verify-status"), "failed") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("root_mismatch: the tiles do not hash to the signed root"), std::string::npos)
      << dom.substr(0, 2000);
}

TEST_F(BrowserTest, TamperedCheckpointFails) {
  std::string dom = TamperedPage("checkpoint", "/", "tampered-checkpoint");
  EXPECT_EQ(StateOf(dom, "verify-status"), "failed") << dom.substr(0, 2000);
  EXPECT_NE(dom.find("bad_signature: signature by " + std::string(ledger::testing::kOrigin) +
                     " does not verify"),
            std::string::npos)
      << dom.substr(0, 2000);
}

// An explorer that alters an entry's inclusion proof (in the tlog-proof and
// the inclusion_proof list alike): the log check still verifies, the entry
// page fails with the package's reason.
TEST_F(BrowserTest, TamperedEntryProofFails) {
  std::string dom = TamperedPage("entry", "/entry/5", "tampered-entry");
  EXPECT_EQ(StateOf(dom, "verify-status"), "verified") << dom.substr(0, 2000);
  EXPECT_EQ(StateOf(dom, "entry-status"), "failed") << dom.substr(0, 3000);
  EXPECT_NE(dom.find("root_mismatch"), std::string::npos) << dom.substr(0, 3000);
}

// An explorer whose state summary shows another version than its proof.
TEST_F(BrowserTest, TamperedStateSummaryFails) {
  std::string dom = TamperedPage("state", "/history?subject=key/k-3", "tampered-state");
  EXPECT_EQ(StateOf(dom, "state-status"), "failed") << dom.substr(0, 3000);
  EXPECT_NE(dom.find("state_mismatch"), std::string::npos) << dom.substr(0, 3000);
}
#endif  // LEDGER_TEST_HOOKS

}  // namespace
}  // namespace explorer::testing
