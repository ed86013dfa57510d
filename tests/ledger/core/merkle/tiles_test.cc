#include "ledger/merkle/tiles.h"

#include <gtest/gtest.h>

namespace ledger::tiles {
namespace {

TEST(TilesTest, IndexEncodingFromSpec) {
  EXPECT_EQ(FormatIndex(1234067), "x001/x234/067");
  EXPECT_EQ(FormatIndex(5), "005");
  EXPECT_EQ(FormatIndex(1000), "x001/000");
  EXPECT_EQ(FormatIndex(0), "000");
  EXPECT_EQ(TilePath({1, 1234067, 256}), "tile/1/x001/x234/067");
  EXPECT_EQ(TilePath({0, 5, 112}), "tile/0/005.p/112");
  EXPECT_EQ(EntriesPath(1000, 3), "tile/entries/x001/000.p/3");
}

TEST(TilesTest, ParseRoundTripAndStrictness) {
  for (uint64_t n : {uint64_t{0}, uint64_t{5}, uint64_t{999}, uint64_t{1000}, uint64_t{1234067}, UINT64_MAX}) {
    for (uint32_t w : {1u, 255u, 256u}) {
      TileId id{3, n, w};
      auto p = ParseTilePath(TilePath(id));
      ASSERT_TRUE(p.ok()) << TilePath(id);
      EXPECT_EQ(p->id, id);
      EXPECT_FALSE(p->entries);
      auto e = ParseTilePath(EntriesPath(n, w));
      ASSERT_TRUE(e.ok());
      EXPECT_TRUE(e->entries);
      EXPECT_EQ(e->id.index, n);
    }
  }
  for (const char* bad : {"tile/01/000", "tile/64/000", "tile/0/00", "tile/0/0000", "tile/0/x000/001",
                          "tile/0/001.p/0", "tile/0/001.p/256", "tile/0/001.p/07", "tile/0/x1/001",
                          "tile/0/", "tiles/0/000", "tile/0/001.p/", "tile/-1/000",
                          "tile/0/x018/x446/x744/x073/x709/x551/616"}) {
    EXPECT_EQ(ParseTilePath(bad).status().reason(), "bad_tile_path") << bad;
  }
}

// The size-70,000 example from tlog-tiles.
TEST(TilesTest, PartialTilesForSpecExample) {
  auto p = PartialTiles(70000);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (TileId{0, 273, 112}));
  EXPECT_EQ(p[1], (TileId{1, 1, 17}));
  EXPECT_EQ(p[2], (TileId{2, 0, 1}));
  auto q = PartialTiles(256);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0], (TileId{1, 0, 1}));
  EXPECT_TRUE(PartialTiles(0).empty());
  EXPECT_TRUE(ImpliedBy({0, 272, 256}, 70000));
  EXPECT_FALSE(ImpliedBy({0, 273, 256}, 70000));
  EXPECT_TRUE(ImpliedBy({0, 273, 112}, 70000));
  EXPECT_FALSE(ImpliedBy({0, 273, 111}, 70000));
}

TEST(TilesTest, Codecs) {
  std::vector<Hash> hs(3);
  hs[1].bytes[0] = 7;
  Bytes t = FormatHashTile(hs);
  EXPECT_EQ(ParseHashTile(t, 3).value(), hs);
  EXPECT_FALSE(ParseHashTile(t, 2).ok());
  std::vector<Bytes> entries = {{1, 2}, {}, Bytes(300, 9)};
  Bytes b = FormatEntryBundle(entries).value();
  EXPECT_EQ(ParseEntryBundle(b, 3).value(), entries);
  EXPECT_FALSE(ParseEntryBundle(b, 2).ok());  // trailing entry
  EXPECT_FALSE(ParseEntryBundle(b, 4).ok());  // missing entry
  b.pop_back();
  EXPECT_EQ(ParseEntryBundle(b, 3).status().reason(), "malformed_bundle");
  EXPECT_EQ(FormatEntryBundle(std::vector<Bytes>{Bytes(65536)}).status().reason(),
            "entry_too_large");
}

}  // namespace
}  // namespace ledger::tiles

// schemas/formats/tiles.md worked example.
#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/merkle/merkle.h"
#include "ledger_test_paths.h"

namespace ledger::tiles {
namespace {

TEST(TilesTest, FormatsExampleVector) {
  std::ifstream in(std::string(LEDGER_TEST_VECTORS) + "/formats/tiles-example.json");
  auto v = nlohmann::json::parse(in);
  std::vector<Bytes> entries;
  std::vector<Hash> hashes;
  for (const auto& e : v["entries_hex"]) {
    entries.push_back(HexDecode(e.get<std::string>()).value());
    hashes.push_back(merkle::LeafHash(entries.back()));
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    EXPECT_EQ(hashes[i].Hex(), v["leaf_hashes_hex"][i]);
  }
  EXPECT_EQ(merkle::RootFromLeafHashes(hashes).Hex(), v["root_hex"]);
  EXPECT_EQ(HexEncode(FormatHashTile(hashes)), v["hash_tile_hex"]);
  EXPECT_EQ(HexEncode(FormatEntryBundle(entries).value()), v["entry_bundle_hex"]);
  auto w = static_cast<uint32_t>(entries.size());
  EXPECT_EQ(TilePath({0, 0, w}), v["hash_tile_path"]);
  EXPECT_EQ(EntriesPath(0, w), v["entry_bundle_path"]);
  std::vector<std::string> partial;
  for (const auto& t : PartialTiles(70000)) partial.push_back(TilePath(t));
  EXPECT_EQ(partial, v["partial_tiles_for_size_70000"].get<std::vector<std::string>>());
  for (const auto& [n, path] : v["index_encodings"].items()) {
    EXPECT_EQ(FormatIndex(std::stoull(n)), path);
  }
}

}  // namespace
}  // namespace ledger::tiles
