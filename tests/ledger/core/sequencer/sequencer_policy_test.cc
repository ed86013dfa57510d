// The sequencer's policy binding: the extension line on every checkpoint,
// SetPolicy, and Restore refusing a head signed under another policy.
#include <gtest/gtest.h>

#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/trust/policy.h"

namespace ledger {
namespace {

constexpr char kOrigin[] = "ledger.example/seq-policy";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 5)).value(); }
Ed25519PrivateKey Key(uint8_t seed) { return Ed25519PrivateKey::FromSeed(Bytes(32, seed)).value(); }

std::string Vkey(const std::string& name, uint8_t seed) {
  return note::NewEd25519Verifier(name, Key(seed).public_key())->VerifierKey();
}

SubmittedEvent Stamped(const std::string& name, uint8_t seed, uint64_t n) {
  Event e;
  e.kind = EventKind::kKeyCreated;
  e.event_id = "e-" + std::to_string(n);
  e.occurred_at_us = 1000 + n;
  e.actor.id = "svc/" + name;
  e.subject = "key/k";
  Bytes event = EncodeEvent(e).value();
  Bytes stamp = MakeStamp(kOrigin, event, *note::NewEd25519Signer(name, Key(seed))).value();
  return {event, stamp};
}

Policy Version(uint64_t v, const std::string& name, uint8_t seed) {
  return Policy{v, {{name, Vkey(name, seed), {EventKind::kKeyCreated}, {"key/"}}}};
}

Checkpoint Parse(const std::string& note_text) {
  auto v = note::NewEd25519Verifier(kOrigin, LogKey().public_key());
  return VerifyCheckpoint(note_text, *v).value().checkpoint;
}

SequencerOptions WithLine(const std::string& line) {
  SequencerOptions o;
  o.checkpoint_extension = line;
  return o;
}

uint64_t Now() { return 1'000'000; }

TEST(SequencerPolicyTest, EveryCheckpointCarriesTheLineAndSetPolicyChangesIt) {
  Policy v0 = Version(0, "alice", 1), v1 = Version(1, "bob", 2);
  std::string line0 = PolicyExtensionLine(v0).value(), line1 = PolicyExtensionLine(v1).value();
  Sequencer s = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()),
                                   ToSubmitterPolicy(v0).value(), Now, WithLine(line0))
                    .value();
  EXPECT_EQ(Parse(s.head().checkpoint_note).extensions, std::vector<std::string>{line0});
  std::vector<SubmittedEvent> a{Stamped("alice", 1, 1)}, b{Stamped("bob", 2, 2)};
  auto first = s.Sequence(0, s.head().range.Root(), a);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->checkpoint.extensions, std::vector<std::string>{line0});
  EXPECT_EQ(Parse(first->checkpoint_note), first->checkpoint);
  EXPECT_EQ(s.Sequence(1, s.head().range.Root(), b).status().reason(), "unknown_submitter");

  s.SetPolicy(ToSubmitterPolicy(v1).value(), line1);
  EXPECT_EQ(s.checkpoint_extension(), line1);
  auto second = s.Sequence(1, s.head().range.Root(), b);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Parse(second->checkpoint_note).extensions, std::vector<std::string>{line1});
  std::vector<SubmittedEvent> a2{Stamped("alice", 1, 3)};
  EXPECT_FALSE(s.Sequence(2, s.head().range.Root(), a2).ok());
}

TEST(SequencerPolicyTest, RestoreRefusesAHeadOfAnotherPolicy) {
  Policy v0 = Version(0, "alice", 1), v1 = Version(1, "bob", 2);
  std::string line0 = PolicyExtensionLine(v0).value(), line1 = PolicyExtensionLine(v1).value();
  Sequencer s = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()),
                                   ToSubmitterPolicy(v0).value(), Now, WithLine(line0))
                    .value();
  std::vector<SubmittedEvent> a{Stamped("alice", 1, 1)};
  SequencedBatch batch = s.Sequence(0, s.head().range.Root(), a).value();
  auto restore = [&](const Policy& p, const std::string& line) {
    return Sequencer::Restore(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()),
                              ToSubmitterPolicy(p).value(), Now, batch.checkpoint_note,
                              s.head().range.nodes(), batch.leaves[0], {}, WithLine(line));
  };
  auto ok = restore(v0, line0);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->checkpoint_extension(), line0);
  EXPECT_EQ(restore(v1, line1).status().reason(), "policy_mismatch");
  EXPECT_EQ(restore(v0, "").status().reason(), "policy_mismatch");
  // And a head with no line restored under a policy line.
  Sequencer plain = Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {},
                                       Now)
                        .value();
  EXPECT_TRUE(Parse(plain.head().checkpoint_note).extensions.empty());
  auto refused = Sequencer::Restore(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {}, Now,
                                    plain.head().checkpoint_note, {}, {}, {}, WithLine(line0));
  EXPECT_EQ(refused.status().reason(), "policy_mismatch");
}

}  // namespace
}  // namespace ledger
