// The state map (state_map.h) against the worked example of map.md §7
// (produced by tests/vectors/formats/map_examples.py) and, for random
// subjects and sizes, against the naive reference.
#include "ledger/record/state_map.h"

#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "c2sp_test_util.h"
#include "ledger/record/event.h"
#include "ledger/retention/retention.h"
#include "ledger/retention/retention_map.h"
#include "state_map_reference.h"

namespace ledger::state_map {
namespace {

Hash H(const nlohmann::json& j) { return Hash::FromHex(j.get<std::string>()).value(); }
std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

Hash RandomHash(std::mt19937_64& rng) {
  Hash h;
  for (auto& b : h.bytes) b = static_cast<uint8_t>(rng());
  return h;
}

TEST(StateMapTest, WorkedExampleReplaysEntryByEntry) {
  const auto v = testing::LoadVectorJson("formats/map-example.json");
  EXPECT_EQ(EmptyHash().Hex(), v["empty_root_hex"].get<std::string>());
  reference::Entries entries;
  Hash root = EmptyHash();
  for (const auto& e : v["entries"]) {
    const Hash key = KeyOf(e["subject"].get<std::string>());
    ASSERT_EQ(key.Hex(), e["key_hex"].get<std::string>());
    std::optional<Hash> new_state;
    if (!e["new_state_hex"].is_null()) new_state = H(e["new_state_hex"]);
    const auto it = entries.find(key);
    const std::optional<Value> prev =
        it == entries.end() ? std::nullopt : std::optional<Value>(it->second);
    const Value next = NextValue(prev, e["index"].get<uint64_t>(), new_state);
    EXPECT_EQ(HexEncode(next.Encode()), e["value_hex"].get<std::string>());
    EXPECT_EQ(Value::Decode(next.Encode()).value(), next);
    EXPECT_EQ(LeafHash(key, next).Hex(), e["leaf_hash_hex"].get<std::string>());
    // The notary's way: a proof against the current root, then the update.
    const Proof proof = reference::Prove(entries, key);
    EXPECT_EQ(VerifyProof(root, key, proof).value(), prev);
    root = ApplyUpdate(root, key, proof, next).value();
    entries[key] = next;
    EXPECT_EQ(root.Hex(), e["root_after_hex"].get<std::string>()) << e["subject"];
    EXPECT_EQ(reference::Root(entries), root);
  }
  EXPECT_EQ(root.Hex(), v["root_hex"].get<std::string>());
  EXPECT_EQ(ExtensionLine(root), v["extension_line"].get<std::string>());
  EXPECT_EQ(ParseExtensionLine(ExtensionLine(root)).value(), root);

  for (const auto& p : v["proofs"]) {
    const Hash key = KeyOf(p["subject"].get<std::string>());
    const Bytes enc = HexDecode(p["proof_hex"].get<std::string>()).value();
    const Proof proof = Proof::Decode(enc).value();
    EXPECT_EQ(proof, reference::Prove(entries, key));
    EXPECT_EQ(proof.Encode(), enc);
    EXPECT_EQ(proof.siblings.size(), p["depth"].get<size_t>());
    const auto got = VerifyProof(root, key, proof).value();
    const std::string kind = p["kind"];
    if (kind == "present") {
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(*got, entries.at(key));
    } else {
      EXPECT_FALSE(got.has_value());
      EXPECT_EQ(proof.leaf.has_value(), kind == "absent_leaf");
    }
  }
}

// map.md §5a: stamped entries set their stamp key before their subject; the
// log key's own entries set none; a replay's proof shows the key present.
// map.md §5b, against the independent generator: the retention keys, the
// records' encodings and the roots they give.
TEST(StateMapVectors, RetentionKeysAndRecords) {
  namespace rm = retention_map;
  const auto v = testing::LoadVectorJson("formats/map-example.json")["retention_keys"];
  reference::Entries entries;
  Hash root = EmptyHash();
  for (const auto& e : v["entries"]) {
    const std::string kind = e["kind"], name = e["name"];
    const uint64_t index = e["index"].get<uint64_t>();
    Hash key;
    Value value;
    const auto it = [&] { return entries.find(key); };
    if (kind == "class" || kind == "subject") {
      key = kind == "class" ? rm::ClassKey(name) : rm::SubjectKey(name);
      const Bytes record = HexDecode(e["record_hex"].get<std::string>()).value();
      // Our encoder writes the generator's bytes for what our decoder reads.
      if (kind == "class") {
        EXPECT_EQ(ClassRetention::Decode(record).value().Encode(), record);
      } else {
        EXPECT_EQ(SubjectRetention::Decode(record).value().Encode(), record);
      }
      auto prev = it();
      value = rm::RecordValue(prev == entries.end() ? std::nullopt : std::optional(prev->second),
                              index, record);
    } else {
      key = rm::DisposalKey(std::stoull(name));
      value = rm::DisposalValue(index,
                                Hash::FromHex(e["payload_digest_hex"].get<std::string>()).value());
    }
    EXPECT_EQ(key.Hex(), e["key_hex"].get<std::string>()) << kind << " " << name;
    EXPECT_NE(key, KeyOf(name));
    EXPECT_EQ(HexEncode(value.Encode()), e["value_hex"].get<std::string>());
    root = ApplyUpdate(root, key, reference::Prove(entries, key), value).value();
    entries[key] = value;
    EXPECT_EQ(root.Hex(), e["root_after_hex"].get<std::string>());
  }
  EXPECT_EQ(root.Hex(), v["root_hex"].get<std::string>());
  // The hold record names the placing key.
  const auto held = SubjectRetention::Decode(
      HexDecode(v["entries"][1]["record_hex"].get<std::string>()).value());
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->holds.at("case-42"), (Stamper{"legal.example", 0x1a2b3c4d}));
}

TEST(StateMapTest, StampKeysOfTheWorkedExample) {
  const auto v = testing::LoadVectorJson("formats/map-example.json")["stamp_keys"];
  reference::Entries entries;
  Hash root = EmptyHash();
  auto set = [&](const Hash& key, const Value& value) {
    const Proof proof = reference::Prove(entries, key);
    root = ApplyUpdate(root, key, proof, value).value();
    entries[key] = value;
  };
  for (const auto& e : v["entries"]) {
    const Bytes event = HexDecode(e["event_hex"].get<std::string>()).value();
    const std::string subject = e["subject"];
    EXPECT_EQ(DecodeEvent(event).value().subject, subject);
    const Hash stamp_key = StampKeyOf(event);
    EXPECT_EQ(stamp_key.Hex(), e["stamp_key_hex"].get<std::string>());
    EXPECT_NE(stamp_key, KeyOf(subject));
    const uint64_t index = e["index"].get<uint64_t>();
    if (e["sets_stamp_key"].get<bool>()) {
      EXPECT_FALSE(VerifyProof(root, stamp_key, reference::Prove(entries, stamp_key))
                       .value()
                       .has_value());
      EXPECT_EQ(HexEncode(StampValue(index).Encode()), e["stamp_value_hex"].get<std::string>());
      set(stamp_key, StampValue(index));
    }
    const auto it = entries.find(KeyOf(subject));
    set(KeyOf(subject),
        NextValue(it == entries.end() ? std::nullopt : std::optional<Value>(it->second), index,
                  std::nullopt));
    EXPECT_EQ(root.Hex(), e["root_after_hex"].get<std::string>()) << subject;
  }
  EXPECT_EQ(root.Hex(), v["root_hex"].get<std::string>());
  const auto& replayed = v["entries"][v["replay_of"].get<size_t>()];
  const Bytes again = HexDecode(replayed["event_hex"].get<std::string>()).value();
  const Proof proof =
      Proof::Decode(HexDecode(v["replay_proof_hex"].get<std::string>()).value()).value();
  EXPECT_EQ(proof, reference::Prove(entries, StampKeyOf(again)));
  EXPECT_EQ(VerifyProof(root, StampKeyOf(again), proof).value(),
            std::optional<Value>(StampValue(replayed["index"].get<uint64_t>())));
}

TEST(StateMapTest, EmptyMapProvesEveryKeyAbsent) {
  const Proof p;  // depth 0, empty terminal
  EXPECT_EQ(p.Encode(), (Bytes{1, 0, 0, 0}));
  EXPECT_FALSE(VerifyProof(EmptyHash(), KeyOf("x"), p).value().has_value());
  const Value v{0, 1, EmptyHash()};
  EXPECT_EQ(ApplyUpdate(EmptyHash(), KeyOf("x"), p, v).value(), LeafHash(KeyOf("x"), v));
}

// Random subjects, random sizes, random update order: every incremental root
// equals the reference root and every proof of the reference verifies with
// the right answer; the proof encoding round-trips.
TEST(StateMapTest, RandomMapsMatchTheReference) {
  std::mt19937_64 rng(20261122);
  for (int round = 0; round < 40; ++round) {
    const size_t n = rng() % 70;
    reference::Entries entries;
    Hash root = EmptyHash();
    std::vector<Hash> keys;
    for (size_t i = 0; i < n; ++i) {
      // Some updates hit an existing subject again.
      const bool again = !keys.empty() && rng() % 4 == 0;
      const Hash key = again ? keys[rng() % keys.size()] : KeyOf("s/" + std::to_string(rng()));
      if (!again) keys.push_back(key);
      const auto it = entries.find(key);
      const std::optional<Value> prev =
          it == entries.end() ? std::nullopt : std::optional<Value>(it->second);
      const Value next = NextValue(prev, i, rng() % 2 ? std::optional(RandomHash(rng)) : std::nullopt);
      const Proof proof = reference::Prove(entries, key);
      ASSERT_EQ(Proof::Decode(proof.Encode()).value(), proof);
      root = ApplyUpdate(root, key, proof, next).value();
      entries[key] = next;
      ASSERT_EQ(root, reference::Root(entries));
    }
    for (const Hash& key : keys) {
      EXPECT_EQ(VerifyProof(root, key, reference::Prove(entries, key)).value(), entries.at(key));
    }
    for (int i = 0; i < 20; ++i) {
      const Hash absent = RandomHash(rng);
      EXPECT_FALSE(VerifyProof(root, absent, reference::Prove(entries, absent)).value());
    }
  }
}

// A host that serves a stale value, forges a sibling, hides a subject behind
// an absence proof or swaps keys is caught.
TEST(StateMapTest, TamperedProofsAreRefused) {
  std::mt19937_64 rng(7);
  reference::Entries entries;
  for (int i = 0; i < 50; ++i) entries[RandomHash(rng)] = Value{uint64_t(i), 1, RandomHash(rng)};
  const Hash root = reference::Root(entries);
  const Hash key = entries.begin()->first;
  const Proof good = reference::Prove(entries, key);
  ASSERT_TRUE(VerifyProof(root, key, good).ok());

  Proof stale = good;
  stale.leaf->value.index = 999;  // an older entry of the subject
  EXPECT_EQ(Reason(VerifyProof(root, key, stale).status()), "map_proof_mismatch");

  for (size_t d = 0; d < good.siblings.size(); ++d) {
    Proof forged = good;
    forged.siblings[d].bytes[d % 32] ^= 1;
    EXPECT_EQ(Reason(VerifyProof(root, key, forged).status()), "map_proof_mismatch");
  }
  Proof hidden = good;
  hidden.leaf.reset();  // "absent"
  EXPECT_EQ(Reason(VerifyProof(root, key, hidden).status()), "map_proof_mismatch");
  Proof shorter = good;
  shorter.siblings.pop_back();
  EXPECT_FALSE(VerifyProof(root, key, shorter).ok());

  // Another key's valid proof does not prove anything about this key.
  const Hash other = std::next(entries.begin())->first;
  const Proof other_proof = reference::Prove(entries, other);
  EXPECT_FALSE(VerifyProof(root, key, other_proof).ok());
  // An update from a proof against another root is refused, whatever it says.
  EXPECT_EQ(Reason(ApplyUpdate(KeyOf("elsewhere"), key, good, Value{1, 2, {}}).status()),
            "map_proof_mismatch");
}

TEST(StateMapTest, DecoderIsStrict) {
  reference::Entries entries;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i) entries[RandomHash(rng)] = Value{uint64_t(i), 1, {}};
  const Bytes good = reference::Prove(entries, entries.begin()->first).Encode();
  ASSERT_TRUE(Proof::Decode(good).ok());
  auto reason = [](Bytes b) { return Reason(Proof::Decode(b).status()); };
  Bytes b = good;
  b[0] = 2;
  EXPECT_EQ(reason(b), "malformed_map_proof");  // version
  b = good;
  b[1] = 7;
  EXPECT_EQ(reason(b), "malformed_map_proof");  // terminal
  b = good;
  b.push_back(0);
  EXPECT_EQ(reason(b), "malformed_map_proof");  // trailing
  b = good;
  b.pop_back();
  EXPECT_EQ(reason(b), "malformed_map_proof");  // truncated
  EXPECT_EQ(reason({1, 0, 1, 1}), "malformed_map_proof");  // depth 257
  EXPECT_EQ(reason({1, 0, 0, 1, 0x40}), "malformed_map_proof");  // padding bit
  Bytes zero_sibling = {1, 0, 0, 1, 0x80};
  zero_sibling.resize(zero_sibling.size() + 32, 0);
  EXPECT_EQ(reason(zero_sibling), "malformed_map_proof");
  Bytes version0 = {1, 1};
  version0.resize(2 + 32 + 48, 0);  // value with version 0
  Append(version0, Bytes{0, 0});
  EXPECT_EQ(reason(version0), "malformed_map_proof");
  EXPECT_EQ(Reason(ParseExtensionLine("map " + std::string(64, 'A')).status()),
            "malformed_map_line");
  EXPECT_EQ(Reason(ParseExtensionLine("map 00").status()), "malformed_map_line");
}

TEST(StateMapTest, CompareAndSwapRule) {
  const Hash a = Sha256::Digest("a"), b = Sha256::Digest("b");
  const Value with_a{4, 2, a};
  // First notarization: no prior state, none given.
  EXPECT_TRUE(CheckStateTransition(std::nullopt, std::nullopt, a).ok());
  EXPECT_EQ(Reason(CheckStateTransition(std::nullopt, b, a)), "state_conflict");
  EXPECT_TRUE(CheckStateTransition(with_a, a, b).ok());
  EXPECT_EQ(Reason(CheckStateTransition(with_a, b, a)), "state_conflict");  // stale
  EXPECT_EQ(Reason(CheckStateTransition(with_a, std::nullopt, b)), "state_conflict");
  EXPECT_EQ(Reason(CheckStateTransition(with_a, a, std::nullopt)), "missing_state_hash");
  EXPECT_EQ(Reason(CheckStateTransition(with_a, a, EmptyHash())), "zero_state_hash");
  // NextValue keeps the state when an entry carries none.
  EXPECT_EQ(NextValue(with_a, 9, std::nullopt), (Value{9, 3, a}));
  EXPECT_EQ(NextValue(std::nullopt, 9, b), (Value{9, 1, b}));
}

}  // namespace
}  // namespace ledger::state_map
