#include "ledger/record/leaf.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/merkle/merkle.h"
#include "ledger/record/event.h"
#include "ledger_test_paths.h"

namespace ledger {
namespace {

Bytes FromHex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }
std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

Leaf Sample(size_t event_size = 10, size_t stamp_size = 5) {
  Leaf leaf;
  leaf.index = 0x0102030405060708ULL;
  leaf.recorded_at_us = 1714566896200000;
  leaf.prev_leaf_hash = Sha256::Digest("prev");
  leaf.event = Bytes(event_size, 0xee);
  leaf.stamp = Bytes(stamp_size, 0x55);
  return leaf;
}

// The worked example of leaf.md §5: two leaves and their chain.
TEST(LeafTest, WorkedExampleVector) {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/leaf-example.json");
  ASSERT_TRUE(in) << "missing vector";
  auto v = nlohmann::json::parse(in);
  std::string origin = v["origin"];
  Hash genesis = ChainGenesis(origin);
  EXPECT_EQ(genesis.Hex(), v["chain_genesis_hex"].get<std::string>());

  Hash prev = genesis;
  uint64_t expected_index = 0;
  for (const auto& j : v["leaves"]) {
    Leaf leaf;
    leaf.index = j["index"];
    leaf.recorded_at_us = j["recorded_at_us"];
    leaf.prev_leaf_hash = Hash::FromHex(j["prev_leaf_hash_hex"].get<std::string>()).value();
    leaf.event = FromHex(j["event_hex"]);
    leaf.stamp = FromHex(j["stamp_hex"]);
    Bytes bytes = EncodeLeaf(leaf).value();
    EXPECT_EQ(HexEncode(bytes), j["leaf_hex"].get<std::string>());
    EXPECT_EQ(bytes.size(), j["leaf_size"].get<size_t>());
    EXPECT_EQ(DecodeLeaf(bytes).value(), leaf);
    // The event inside is the event example and decodes on its own.
    EXPECT_TRUE(DecodeEvent(leaf.event).ok());

    // Leaf hash = SHA-256(0x00 || leaf bytes) (RFC 9162 §2.1.1), computed
    // here by hand and through the Merkle module: one hash for tree and chain.
    Sha256 h;
    h.Update(uint8_t{0}).Update(bytes);
    Hash leaf_hash = h.Final();
    EXPECT_EQ(leaf_hash.Hex(), j["leaf_hash_hex"].get<std::string>());
    EXPECT_EQ(merkle::LeafHash(bytes), leaf_hash);

    EXPECT_TRUE(VerifyChainLink(leaf, prev, expected_index).ok());
    prev = leaf_hash;
    ++expected_index;
  }
  EXPECT_EQ(expected_index, 2u);
}

TEST(LeafTest, LayoutAndRoundTrip) {
  Leaf leaf = Sample(3, 2);
  Bytes b = EncodeLeaf(leaf).value();
  EXPECT_EQ(HexEncode(b),
            "01"
            "0102030405060708"
            "00061763b6caa940" +
                leaf.prev_leaf_hash.Hex() +
                "0003eeeeee"
                "00025555");
  EXPECT_EQ(DecodeLeaf(b).value(), leaf);
  leaf.stamp.clear();  // unstamped
  b = EncodeLeaf(leaf).value();
  EXPECT_EQ(b.size(), kLeafOverhead + 3);
  EXPECT_EQ(DecodeLeaf(b).value(), leaf);
}

TEST(LeafTest, SizeLimitExactlyAndOnePast) {
  // Split the room between event and stamp, and all in the event.
  for (size_t stamp : {size_t{0}, size_t{88}, size_t{30000}}) {
    size_t event = kMaxLeafSize - kLeafOverhead - stamp;
    Leaf at = Sample(event, stamp);
    Bytes b = EncodeLeaf(at).value();
    EXPECT_EQ(b.size(), kMaxLeafSize);
    EXPECT_EQ(DecodeLeaf(b).value(), at);
    Leaf past = Sample(event + 1, stamp);
    EXPECT_EQ(Reason(EncodeLeaf(past).status()), "leaf_too_large");
    past = Sample(event, stamp + 1);
    EXPECT_EQ(Reason(EncodeLeaf(past).status()), "leaf_too_large");
  }
  // Sizes that overflow a u16 on their own are refused, not truncated.
  EXPECT_EQ(Reason(EncodeLeaf(Sample(70000, 0)).status()), "leaf_too_large");
  EXPECT_EQ(Reason(EncodeLeaf(Sample(1, 70000)).status()), "leaf_too_large");
  // A well-formed layout one byte past the limit: the u16 lengths allow it,
  // the decoder must not.
  Bytes big = EncodeLeaf(Sample(kMaxLeafSize - kLeafOverhead - 1, 1)).value();
  big.push_back(0x55);
  big[big.size() - 3] = 0;
  big[big.size() - 2] = 2;  // stamp length 2
  ASSERT_EQ(big.size(), kMaxLeafSize + 1);
  EXPECT_EQ(Reason(DecodeLeaf(big).status()), "malformed_leaf");
}

TEST(LeafTest, RejectsMalformed) {
  EXPECT_EQ(Reason(EncodeLeaf(Sample(0, 5)).status()), "malformed_leaf");
  Bytes good = EncodeLeaf(Sample()).value();
  for (size_t n = 0; n < good.size(); ++n) {
    Bytes prefix(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(Reason(DecodeLeaf(prefix).status()), "malformed_leaf") << n;
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(Reason(DecodeLeaf(trailing).status()), "malformed_leaf");
  for (uint8_t version : Bytes{0, 2, 0xff}) {
    Bytes b = good;
    b[0] = version;
    EXPECT_EQ(Reason(DecodeLeaf(b).status()), "malformed_leaf");
  }
  // Empty event: version, index, time, hash, u16 0, u16 0.
  Bytes empty_event = EncodeLeaf(Sample(1, 0)).value();
  empty_event.erase(empty_event.begin() + 51);  // the event byte
  empty_event[50] = 0;                          // event length 0
  ASSERT_EQ(empty_event.size(), kLeafOverhead);
  EXPECT_EQ(Reason(DecodeLeaf(empty_event).status()), "malformed_leaf");
  // Event length reaching past the end.
  Bytes long_event = good;
  long_event[50] = 0xff;
  EXPECT_EQ(Reason(DecodeLeaf(long_event).status()), "malformed_leaf");
  // Stamp length one short of the bytes present (trailing byte).
  Bytes short_stamp = good;
  short_stamp[good.size() - 6] = 4;
  EXPECT_EQ(Reason(DecodeLeaf(short_stamp).status()), "malformed_leaf");
}

TEST(LeafTest, ChainGenesisAndLinks) {
  Sha256 h;
  h.Update("audit-ledger/chain/v1\nlog.example/a\n");
  EXPECT_EQ(ChainGenesis("log.example/a"), h.Final());
  EXPECT_NE(ChainGenesis("log.example/a"), ChainGenesis("log.example/b"));

  Leaf leaf0 = Sample();
  leaf0.index = 0;
  leaf0.prev_leaf_hash = ChainGenesis("log.example/a");
  Hash h0 = merkle::LeafHash(EncodeLeaf(leaf0).value());
  Leaf leaf1 = Sample();
  leaf1.index = 1;
  leaf1.prev_leaf_hash = h0;

  EXPECT_TRUE(VerifyChainLink(leaf0, ChainGenesis("log.example/a"), 0).ok());
  EXPECT_TRUE(VerifyChainLink(leaf1, h0, 1).ok());
  // Wrong origin, skipped index, replayed index, a link to a different leaf.
  EXPECT_EQ(Reason(VerifyChainLink(leaf0, ChainGenesis("log.example/b"), 0)), "chain_broken");
  EXPECT_EQ(Reason(VerifyChainLink(leaf1, h0, 2)), "chain_broken");
  EXPECT_EQ(Reason(VerifyChainLink(leaf1, h0, 0)), "chain_broken");
  leaf0.recorded_at_us += 1;
  Hash altered = merkle::LeafHash(EncodeLeaf(leaf0).value());
  Status s = VerifyChainLink(leaf1, altered, 1);
  EXPECT_EQ(s.code(), Code::kVerificationFailed);
  EXPECT_EQ(Reason(s), "chain_broken");
}

}  // namespace
}  // namespace ledger
