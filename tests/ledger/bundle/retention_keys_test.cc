// The retention key lines of a bundle (export-bundle.md §3.3): round trip,
// strict parsing of untrusted lines, and the set of keys a bundle proves.
#include "ledger/bundle/retention_keys.h"

#include <gtest/gtest.h>

#include "ledger/retention/retention.h"
#include "ledger/retention/retention_map.h"

namespace ledger::bundle {
namespace {

state_map::Proof SomeProof() {
  state_map::Proof p;
  p.leaf = state_map::Proof::Leaf{retention_map::SubjectKey("record/r-1"),
                                  {7, 2, Sha256::Digest("a record")}};
  p.siblings = {Sha256::Digest("left"), state_map::EmptyHash(), Sha256::Digest("right")};
  return p;
}

TEST(RetentionKeysTest, EachKindRoundTripsAndNamesItsKey) {
  SubjectRetention held;
  held.holds["case-42"] = Stamper{"legal.example", 0x01020304};
  const std::vector<RetentionKeyLine> lines = {
      {RetentionKeyLine::Kind::kSubject, "record/r-1", 0, SomeProof(), held.Encode()},
      {RetentionKeyLine::Kind::kSubject, "record/\"quoted\" é", 0, {}, {}},
      {RetentionKeyLine::Kind::kClass, "SEC-17a-4-6y", 0, SomeProof(),
       ClassRetention{2562, true}.Encode()},
      {RetentionKeyLine::Kind::kDisposal, "", 12, SomeProof(), {}}};
  for (const auto& l : lines) {
    auto text = FormatRetentionKeyLine(l);
    ASSERT_TRUE(text.ok()) << text.status();
    auto back = ParseRetentionKeyLine(*text);
    ASSERT_TRUE(back.ok()) << back.status() << " " << *text;
    EXPECT_EQ(back->kind, l.kind);
    EXPECT_EQ(back->name, l.name);
    EXPECT_EQ(back->record_index, l.record_index);
    EXPECT_EQ(back->proof, l.proof);
    EXPECT_EQ(back->record, l.record);
  }
  EXPECT_EQ(lines[0].Key(), retention_map::SubjectKey("record/r-1"));
  EXPECT_EQ(lines[2].Key(), retention_map::ClassKey("SEC-17a-4-6y"));
  EXPECT_EQ(lines[3].Key(), retention_map::DisposalKey(12));
  EXPECT_EQ(lines[3].Describe(), "disposal of record 12");
  EXPECT_EQ(FormatRetentionKeyLine(lines[1]).value(),
            "{\"proof\":\"" + Base64Encode(state_map::Proof{}.Encode()) +
                "\",\"subject\":\"record/\\\"quoted\\\" é\"}");
}

TEST(RetentionKeysTest, UntrustedLinesAreRefusedWithAStableReason) {
  const std::string proof = Base64Encode(SomeProof().Encode());
  const std::string record = Base64Encode(SubjectRetention{}.Encode());
  for (const std::string& bad : {
           std::string("not json"),
           std::string("[]"),
           "{\"proof\":\"" + proof + "\"}",                                       // no name
           "{\"class\":\"C\",\"proof\":\"" + proof + "\",\"subject\":\"S\"}",     // two names
           "{\"proof\":\"" + proof + "\",\"record_index\":-1}",
           "{\"proof\":\"" + proof + "\",\"record_index\":\"3\"}",
           "{\"proof\":\"" + proof + "\",\"record\":\"" + record + "\",\"record_index\":3}",
           "{\"proof\":\"" + proof + "\",\"record\":\"\",\"subject\":\"S\"}",     // empty record
           "{\"proof\":\"" + proof + "\",\"record\":\"!!\",\"subject\":\"S\"}",   // not base64
           "{\"proof\":\"" + proof + "\",\"subject\":7}",
           "{\"extra\":1,\"proof\":\"" + proof + "\",\"subject\":\"S\"}",
           "{\"subject\":\"S\",\"proof\":\"" + proof + "\"}",                     // key order
           "{\"proof\": \"" + proof + "\",\"subject\":\"S\"}",                    // whitespace
           std::string("{\"proof\":\"AAAA\",\"subject\":\"S\"}"),                 // bad proof
       }) {
    auto r = ParseRetentionKeyLine(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad << ": " << r.status();
  }
}

EntryLine Line(uint64_t index, Event e) {
  EntryLine l;
  l.index = index;
  l.event = std::move(e);
  return l;
}

TEST(RetentionKeysTest, TheKeysFollowFromTheShippedLines) {
  Event record;
  record.kind = EventKind::kKeyCreated;
  record.subject = "key/k-1";
  record.retention_class = "SEC-17a-4-6y";
  record.payload_digest = Sha256::Digest("body 1");
  Event kept = record;
  kept.subject = "key/k-2";
  kept.payload_digest = Sha256::Digest("body 2");
  Event disposal;
  disposal.kind = EventKind::kRecordDisposed;
  disposal.subject = "key/k-9";
  disposal.attributes = {{kAttrRecordIndex, "40"},
                         {kAttrDisposedDigest, Sha256::Digest("x").Hex()}};
  Event evidence_record = record;
  evidence_record.subject = "key/k-9";
  evidence_record.retention_class = "CFTC-1.31-5y";
  auto keys = RetentionKeysOf({Line(3, record), Line(4, kept)},
                              {Line(40, evidence_record), Line(41, disposal)},
                              {*kept.payload_digest});
  EXPECT_EQ(keys.subjects, (std::set<std::string>{"key/k-1", "key/k-2"}));
  EXPECT_EQ(keys.classes, (std::set<std::string>{"CFTC-1.31-5y", "SEC-17a-4-6y"}));
  // Record 3's body is not shipped, record 40's neither (and it is disposed).
  EXPECT_EQ(keys.disposals, (std::set<uint64_t>{3, 40}));
  EXPECT_EQ(keys.size(), 6u);
}

}  // namespace
}  // namespace ledger::bundle
