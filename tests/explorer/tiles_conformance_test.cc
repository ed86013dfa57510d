// tlog-tiles conformance of the explorer (c2sp.org/tlog-tiles): for logs of
// many sizes, every hash tile and entry bundle a checkpoint implies is
// fetched over HTTP with its content type and cache headers, partial widths
// are checked as prefixes, and the tiles are folded back to the signed root.
// The client side here is written from the spec with OpenSSL's SHA-256 only:
// it shares no tree or path code with the server.
#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "explorer_fixture.h"
#include "ledger/note/checkpoint.h"

namespace explorer::testing {
namespace {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(uint8_t prefix, const uint8_t* a, size_t an, const uint8_t* b = nullptr,
              size_t bn = 0) {
  Digest out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, &prefix, 1);
  EVP_DigestUpdate(ctx, a, an);
  if (b != nullptr) EVP_DigestUpdate(ctx, b, bn);
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &n);
  EVP_MD_CTX_free(ctx);
  return out;
}
Digest Node(const Digest& l, const Digest& r) { return Sha256(0x01, l.data(), 32, r.data(), 32); }

// RFC 6962 §2.1 MTH over hashes [lo, hi), by the definition (largest power
// of two strictly smaller than n on the left).
Digest Mth(const std::vector<Digest>& h, size_t lo, size_t hi) {
  if (hi - lo == 1) return h[lo];
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return Node(Mth(h, lo, lo + k), Mth(h, lo + k, hi));
}

// Tile index as the spec spells it: 3-digit groups, all but the last
// prefixed with "x".
std::string IndexPath(uint64_t n) {
  std::vector<std::string> groups;
  do {
    char g[4];
    std::snprintf(g, sizeof g, "%03u", static_cast<unsigned>(n % 1000));
    groups.insert(groups.begin(), g);
    n /= 1000;
  } while (n > 0);
  std::string out;
  for (size_t i = 0; i + 1 < groups.size(); ++i) out += "x" + groups[i] + "/";
  return out + groups.back();
}
std::string TileUrl(int level, uint64_t n, uint32_t w) {
  std::string p = "/tile/" + std::to_string(level) + "/" + IndexPath(n);
  return w == 256 ? p : p + ".p/" + std::to_string(w);
}
std::string BundleUrl(uint64_t n, uint32_t w) {
  std::string p = "/tile/entries/" + IndexPath(n);
  return w == 256 ? p : p + ".p/" + std::to_string(w);
}

std::vector<Digest> Split(const std::string& body) {
  std::vector<Digest> out(body.size() / 32);
  for (size_t i = 0; i < out.size(); ++i) std::memcpy(out[i].data(), body.data() + 32 * i, 32);
  return out;
}

TEST(IndexPath, SpecExamples) {
  EXPECT_EQ(IndexPath(5), "005");
  EXPECT_EQ(IndexPath(1000), "x001/000");
  EXPECT_EQ(IndexPath(1234067), "x001/x234/067");
}

class TilesConformance : public ::testing::TestWithParam<uint64_t> {};

TEST_P(TilesConformance, EveryTileAndBundleFoldsToTheSignedRoot) {
  const uint64_t size = GetParam();
  TestLog log("tiles-" + std::to_string(size));
  log.Append(size);
  ExplorerProcess explorer(log.dir());
  ASSERT_GT(explorer.port(), 0);
  auto http = explorer.Client();

  auto cp = http.Get("/checkpoint");
  ASSERT_TRUE(cp);
  ASSERT_EQ(cp->status, 200) << cp->body;
  EXPECT_EQ(cp->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(cp->get_header_value("Cache-Control").find("max-age=2"), std::string::npos);
  auto verified = ledger::VerifyCheckpoint(cp->body, *ledger::testing::LogVerifier());
  ASSERT_TRUE(verified.ok()) << verified.status();
  ASSERT_EQ(verified->checkpoint.size, size);

  // Every level: floor(size / 256^L) hashes, in full tiles and one partial.
  std::vector<std::vector<Digest>> levels;
  for (int level = 0;; ++level) {
    uint64_t count = size;
    for (int i = 0; i < level; ++i) count /= 256;
    if (count == 0) break;
    std::vector<Digest> hashes;
    for (uint64_t n = 0; n * 256 < count; ++n) {
      auto w = static_cast<uint32_t>(std::min<uint64_t>(256, count - n * 256));
      auto r = http.Get(TileUrl(level, n, w));
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << TileUrl(level, n, w) << " " << r->body;
      ASSERT_EQ(r->body.size(), 32u * w) << TileUrl(level, n, w);
      EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
      std::string cache = r->get_header_value("Cache-Control");
      if (w == 256) {
        EXPECT_NE(cache.find("immutable"), std::string::npos);
        EXPECT_NE(cache.find("max-age=31536000"), std::string::npos);
      } else {
        EXPECT_EQ(cache.find("immutable"), std::string::npos);
      }
      auto tile = Split(r->body);
      // Narrower widths are prefixes (the tile of a smaller tree).
      for (uint32_t narrow : {1u, w / 2, w - 1}) {
        if (narrow == 0 || narrow >= w) continue;
        auto p = http.Get(TileUrl(level, n, narrow));
        ASSERT_TRUE(p);
        ASSERT_EQ(p->status, 200);
        EXPECT_EQ(p->body, r->body.substr(0, 32u * narrow));
      }
      // Level 0: the entry bundle hashes to the tile.
      if (level == 0) {
        auto b = http.Get(BundleUrl(n, w));
        ASSERT_TRUE(b);
        ASSERT_EQ(b->status, 200) << BundleUrl(n, w);
        EXPECT_EQ(b->get_header_value("Content-Type"), "application/octet-stream");
        const std::string& bundle = b->body;
        size_t at = 0;
        for (uint32_t i = 0; i < w; ++i) {
          ASSERT_LE(at + 2, bundle.size());
          size_t len = (static_cast<uint8_t>(bundle[at]) << 8) | static_cast<uint8_t>(bundle[at + 1]);
          ASSERT_LE(at + 2 + len, bundle.size());
          auto h = Sha256(0x00, reinterpret_cast<const uint8_t*>(bundle.data() + at + 2), len);
          EXPECT_EQ(h, tile[i]) << "entry " << n * 256 + i;
          at += 2 + len;
        }
        EXPECT_EQ(at, bundle.size());
      }
      hashes.insert(hashes.end(), tile.begin(), tile.end());
    }
    ASSERT_EQ(hashes.size(), count);
    levels.push_back(std::move(hashes));
  }
  // Each hash of level L+1 is the MTH of the full level-L tile below it.
  for (size_t l = 0; l + 1 < levels.size(); ++l) {
    for (size_t j = 0; j < levels[l + 1].size(); ++j) {
      ASSERT_EQ(Mth(levels[l], j * 256, j * 256 + 256), levels[l + 1][j]) << "level " << l + 1;
    }
  }
  // The root, as a tiles client computes it: the size's perfect subtrees,
  // largest first, each read from the highest tile level that holds it.
  Digest root{};
  if (size == 0) {
    unsigned int n = 0;  // RFC 6962: the empty tree's root is SHA-256("")
    EVP_Digest("", 0, root.data(), &n, EVP_sha256(), nullptr);
  } else {
    std::vector<Digest> subtrees;
    uint64_t start = 0;
    for (int k = 63; k >= 0; --k) {
      uint64_t width = uint64_t{1} << k;
      if ((size & width) == 0) continue;
      size_t level = static_cast<size_t>(k) / 8;
      uint64_t per = uint64_t{1} << (8 * level);
      uint64_t span = width / per;  // hashes at that level
      uint64_t first = start / per;
      subtrees.push_back(Mth(levels[level], first, first + span));
      start += width;
    }
    root = subtrees.back();
    for (size_t i = subtrees.size() - 1; i-- > 0;) root = Node(subtrees[i], root);
    // And the plain RFC 6962 definition over every leaf hash.
    EXPECT_EQ(Mth(levels[0], 0, levels[0].size()), root);
  }
  EXPECT_EQ(0, std::memcmp(root.data(), verified->checkpoint.root.view().data(), 32));

  // Beyond the log: 404 with a stable reason.
  uint64_t full0 = size / 256;
  auto beyond = http.Get(TileUrl(0, full0 + 1, 256));
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 404);
  EXPECT_NE(beyond->body.find("tile_not_found"), std::string::npos);
  if (size % 256 != 0) {
    auto wider = http.Get(TileUrl(0, full0, static_cast<uint32_t>(size % 256 + 1)));
    ASSERT_TRUE(wider);
    EXPECT_EQ(wider->status, 404);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, TilesConformance,
                         ::testing::Values(0, 1, 255, 256, 257, 65536, 70000),
                         [](const auto& p) { return "Size" + std::to_string(p.param); });

TEST(TilesBadInput, MalformedPathsGetStableErrors) {
  TestLog log("tiles-bad");
  log.Append(300);
  ExplorerProcess explorer(log.dir());
  ASSERT_GT(explorer.port(), 0);
  auto http = explorer.Client();
  for (const char* path :
       {"/tile/../checkpoint", "/tile/0/1", "/tile/0/000.p/0", "/tile/0/000.p/256",
        "/tile/0/000.p/012", "/tile/00/000", "/tile/64/000", "/tile/0/x000/001", "/tile/0/-01",
        "/tile/0/x999/x999/x999/x999/x999/x999/x999/999", "/tile/entries/000.p/", "/tile/",
        "/tile/0/000/", "/tile/entries/x1/000"}) {
    auto r = http.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path << " " << r->body;
    EXPECT_NE(r->body.find("bad_tile_path"), std::string::npos) << path << " " << r->body;
  }
  // Well formed but beyond the log.
  for (const char* path : {"/tile/0/x001/000", "/tile/1/000", "/tile/0/001.p/45",
                           "/tile/entries/002", "/tile/63/000"}) {
    auto r = http.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path << " " << r->body;
    EXPECT_NE(r->body.find("tile_not_found"), std::string::npos) << path;
  }
  // The explorer is still serving.
  auto ok = http.Get("/tile/0/000");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

}  // namespace
}  // namespace explorer::testing
