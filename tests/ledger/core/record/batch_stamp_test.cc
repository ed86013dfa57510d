// Batch stamps (stamp.md §7): one signature over a request's Merkle root,
// each event's stamp carrying its path, every entry verifiable on its own.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/merkle/merkle.h"
#include "ledger/record/stamp.h"
#include "ledger_test_paths.h"

namespace ledger {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

nlohmann::json Vector() {
  std::ifstream in(LEDGER_TEST_VECTORS "/formats/stamp-batch-examples.json");
  LEDGER_CHECK(static_cast<bool>(in));
  return nlohmann::json::parse(in);
}

constexpr std::string_view kOrigin = "log.example/batch";

std::unique_ptr<note::Signer> Signer(uint8_t fill) {
  return note::NewEd25519Signer("svc-batch", Ed25519PrivateKey::FromSeed(Bytes(32, fill)).value());
}
std::unique_ptr<note::Verifier> VerifierOf(const note::Signer& s) {
  return note::ParseVerifierKey(s.VerifierKey()).value();
}
std::vector<Bytes> Events(size_t n) {
  std::vector<Bytes> out;
  for (size_t i = 0; i < n; ++i) {
    const std::string text = "event #" + std::to_string(i);
    out.emplace_back(text.begin(), text.end());
  }
  return out;
}

// The worked example of stamp.md §7.5, made by an independent implementation
// (stamp_batch_examples.py): reproduced byte for byte, and every refusal
// listed there is given with its reason.
TEST(BatchStampTest, WorkedExampleVector) {
  auto v = Vector();
  auto signer = note::NewEd25519Signer(v["key_name"], Ed25519PrivateKey::FromSeed(Hex(v["seed_hex"])).value());
  ASSERT_EQ(signer->VerifierKey(), v["vkey"].get<std::string>());
  const std::string origin = v["origin"];
  std::vector<Bytes> events;
  for (const auto& e : v["events_hex"]) events.push_back(Hex(e));
  std::vector<Hash> leaves;
  for (const Bytes& e : events) leaves.push_back(merkle::LeafHash(e));
  const Hash root = merkle::RootFromLeafHashes(leaves);
  EXPECT_EQ(root.Hex(), v["root_hex"].get<std::string>());
  EXPECT_EQ(BatchStampText(origin, events.size(), root), v["batch_text"].get<std::string>());

  auto stamps = MakeBatchStamps(origin, events, *signer).value();
  ASSERT_EQ(stamps.size(), v["stamps_hex"].size());
  auto verifier = note::ParseVerifierKey(v["vkey"].get<std::string>()).value();
  const note::Verifier* known[] = {verifier.get()};
  for (size_t i = 0; i < stamps.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(HexEncode(stamps[i]), v["stamps_hex"][i].get<std::string>());
    Stamp s = DecodeStamp(stamps[i]).value();
    ASSERT_TRUE(s.batch.has_value());
    EXPECT_EQ(s.batch->index, i);
    EXPECT_EQ(s.batch->count, events.size());
    EXPECT_EQ(HexEncode(s.payload), v["signature_hex"].get<std::string>());
    EXPECT_EQ(EncodeStamp(s).value(), stamps[i]);
    EXPECT_EQ(VerifyStamp(origin, events[i], stamps[i], known).value(), verifier.get());
  }
  ASSERT_GE(v["refusals"].size(), 10u);
  for (const auto& r : v["refusals"]) {
    SCOPED_TRACE(r["why"].get<std::string>());
    const Bytes& event = events.at(r["event"].get<size_t>());
    auto got = VerifyStamp(r["origin"].get<std::string>(), event, Hex(r["stamp_hex"]), known);
    EXPECT_EQ(Reason(got.status()), r["reason"].get<std::string>());
  }
}

// Every count up to 33 (all the tree shapes of a few levels): each event's
// stamp verifies with its own event only, and the one signature is shared.
TEST(BatchStampTest, EveryEventVerifiesAloneAtEveryCount) {
  auto signer = Signer(3);
  auto verifier = VerifierOf(*signer);
  const note::Verifier* known[] = {verifier.get()};
  for (size_t n = 1; n <= 33; ++n) {
    SCOPED_TRACE(n);
    const auto events = Events(n);
    auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
    ASSERT_EQ(stamps.size(), n);
    const Bytes payload = DecodeStamp(stamps[0]).value().payload;
    for (size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(VerifyStamp(kOrigin, events[i], stamps[i], known).ok()) << i;
      EXPECT_EQ(DecodeStamp(stamps[i]).value().payload, payload);
      // Any other event of the request, with this event's stamp: refused.
      if (n > 1) {
        EXPECT_EQ(Reason(VerifyStamp(kOrigin, events[(i + 1) % n], stamps[i], known).status()),
                  "bad_stamp");
      }
    }
  }
}

// The host moves an event to another position, cuts the path, claims a
// different count, or flips any byte of the path: each is refused, and never
// accepted as another submitter's or another event's.
TEST(BatchStampTest, ATamperedPathIndexOrCountIsRefused) {
  auto signer = Signer(4);
  auto verifier = VerifierOf(*signer);
  const note::Verifier* known[] = {verifier.get()};
  const auto events = Events(12);
  auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
  Stamp s = DecodeStamp(stamps[5]).value();
  const size_t path_start = stamps[5].size() - Hash::kSize * s.batch->path.size();
  for (size_t at = path_start; at < stamps[5].size(); ++at) {
    Bytes bad = stamps[5];
    bad[at] ^= 0x80;
    EXPECT_EQ(Reason(VerifyStamp(kOrigin, events[5], bad, known).status()), "bad_stamp") << at;
  }
  Stamp moved = s;
  moved.batch->index = 4;  // same path length at 4 and 5 of 12
  EXPECT_EQ(Reason(VerifyStamp(kOrigin, events[5], EncodeStamp(moved).value(), known).status()),
            "bad_stamp");
  Stamp recounted = s;
  recounted.batch->count = 11;
  ASSERT_EQ(recounted.batch->path.size(), merkle::InclusionProofSize(5, 11));
  EXPECT_EQ(Reason(VerifyStamp(kOrigin, events[5], EncodeStamp(recounted).value(), known).status()),
            "bad_stamp");
  Stamp cut = s;
  cut.batch->path.pop_back();
  EXPECT_EQ(Reason(EncodeStamp(cut).status()), "bad_batch_position");
  // A stamp from another request of the same submitter, one without this
  // event, does not carry over to it.
  const std::vector<Bytes> other_request = {events[0], events[1], events[2], events[3],
                                            events[4], events[6]};
  auto others = MakeBatchStamps(kOrigin, other_request, *signer).value();
  EXPECT_EQ(Reason(VerifyStamp(kOrigin, events[5], others[5], known).status()), "bad_stamp");
  // Another key under the same name is not this submitter.
  auto stranger = Signer(5);
  auto forged = MakeBatchStamps(kOrigin, events, *stranger).value();
  EXPECT_EQ(Reason(VerifyStamp(kOrigin, events[5], forged[5], known).status()), "unknown_submitter");
}

TEST(BatchStampTest, DecodingIsStrict) {
  auto signer = Signer(6);
  const auto events = Events(3);
  auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
  for (size_t cut = 0; cut < stamps[0].size(); ++cut) {
    Bytes truncated(stamps[0].begin(), stamps[0].begin() + cut);
    EXPECT_EQ(Reason(DecodeStamp(truncated).status()), "malformed_stamp") << cut;
  }
  Bytes trailing = stamps[0];
  trailing.push_back(0);
  EXPECT_EQ(Reason(DecodeStamp(trailing).status()), "malformed_stamp");
  // A path length byte that claims more than the bytes present.
  Bytes longer = stamps[0];
  longer[longer.size() - 2 * Hash::kSize - 1] = 200;
  EXPECT_EQ(Reason(DecodeStamp(longer).status()), "malformed_stamp");
}

TEST(BatchStampTest, MakingRefusesAnEmptyOrOversizedRequest) {
  auto signer = Signer(7);
  EXPECT_EQ(Reason(MakeBatchStamps(kOrigin, {}, *signer).status()), "empty_batch");
  std::vector<Bytes> too_many(kMaxBatchStampEvents + 1);
  EXPECT_EQ(Reason(MakeBatchStamps(kOrigin, too_many, *signer).status()), "batch_too_large");
}

// ClaimOf + VerifyClaim is VerifyStamp in two steps: the claims of one
// request's events share their text, so one signature check serves them all.
TEST(BatchStampTest, TheEventsOfOneRequestClaimTheSameText) {
  auto signer = Signer(8);
  const auto events = Events(9);
  auto stamps = MakeBatchStamps(kOrigin, events, *signer).value();
  const std::string text = ClaimOf(kOrigin, events[0], stamps[0]).value().text;
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(ClaimOf(kOrigin, events[i], stamps[i]).value().text, text);
  }
  EXPECT_EQ(Reason(ClaimOf(kOrigin, events[0], {}).status()), "missing_stamp");
}

}  // namespace
}  // namespace ledger
