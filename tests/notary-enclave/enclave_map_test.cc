// The notary with the state map (map.md §6): a log created with it carries
// the map line on every checkpoint from its ENCLAVE_BOOTED entry on; appends
// need the host's proofs, which the notary checks against the root it holds;
// a rebooted notary takes the root from the head its key signed.
#include <gtest/gtest.h>

#include "enclave_fixture.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"
#include "ledger/leaf.h"
#include "ledger/stamp.h"
#include "state_map_reference.h"

namespace notary::testing {
namespace {

namespace sm = ledger::state_map;

class EnclaveMapTest : public EnclaveFixture {
 protected:
  // Whether the notary sets this stamp's stamp key: every stamp but the log
  // key's (named by the origin; no submitter of these tests is).
  static bool SetsStampKey(const ledger::Bytes& stamp) {
    auto d = ledger::DecodeStamp(stamp);
    return d.ok() && d->key_name != kOrigin;
  }
  // Mirrors a sequenced batch into the reference map and the host log.
  void Track(const pb::Sequenced& s) {
    host_.Add(s);
    for (const std::string& bytes : s.leaves()) {
      auto leaf = ledger::DecodeLeaf(ledger::AsBytes(bytes)).value();
      auto event = ledger::DecodeEvent(leaf.event).value();
      if (SetsStampKey(leaf.stamp)) map_[sm::StampKeyOf(leaf.event)] = sm::StampValue(leaf.index);
      const ledger::Hash key = sm::KeyOf(event.subject);
      auto it = map_.find(key);
      map_[key] = sm::NextValue(it == map_.end() ? std::nullopt : std::optional(it->second),
                                leaf.index, event.new_state_hash);
    }
  }
  ledger::Hash SignedMapRoot() const {
    auto note = ledger::note::Parse(host_.checkpoint_note).value();
    auto cp = ledger::Checkpoint::FromText(note.text).value();
    return sm::FindRoot(cp.extensions).value().value();
  }
  // An append request with the reference's proofs, in batch order.
  pb::Append WithProofs(const std::vector<ledger::SubmittedEvent>& events) {
    pb::Append a = AppendRequest(events);
    auto planned = map_;
    for (int i = 0; i < a.events_size(); ++i) {
      const ledger::SubmittedEvent& submitted = events[static_cast<size_t>(i)];
      auto event = ledger::DecodeEvent(submitted.event).value();
      const uint64_t index = host_.size() + static_cast<uint64_t>(i);
      if (!submitted.stamp.empty()) {
        const ledger::Hash stamp_key = sm::StampKeyOf(submitted.event);
        a.mutable_events(i)->set_stamp_proof(
            std::string(ledger::AsString(sm::reference::Prove(planned, stamp_key).Encode())));
        if (SetsStampKey(submitted.stamp) && !planned.contains(stamp_key)) {
          planned[stamp_key] = sm::StampValue(index);
        }
      }
      const ledger::Hash key = sm::KeyOf(event.subject);
      a.mutable_events(i)->set_map_proof(
          std::string(ledger::AsString(sm::reference::Prove(planned, key).Encode())));
      auto it = planned.find(key);
      planned[key] = sm::NextValue(it == planned.end() ? std::nullopt : std::optional(it->second),
                                   index, event.new_state_hash);
    }
    return a;
  }

  sm::reference::Entries map_;
};

TEST_F(EnclaveMapTest, MapLogFromGenesisThroughRestart) {
  auto e = Boot();
  Provision(*e);
  pb::Restore genesis;
  genesis.set_genesis(true);
  genesis.set_state_map(true);
  auto booted = e->Restore(genesis);
  ASSERT_TRUE(booted.ok()) << booted.status();
  Track(booted->boot_entry());
  EXPECT_EQ(SignedMapRoot(), sm::reference::Root(map_));

  auto appended = e->Append(WithProofs(Stamped(1, 5)));
  ASSERT_TRUE(appended.ok()) << appended.status();
  Track(*appended);
  EXPECT_EQ(SignedMapRoot(), sm::reference::Root(map_));

  // Without proofs, or with a forged one, nothing is sequenced.
  EXPECT_REFUSED(e->Append(AppendRequest(Stamped(6, 1))), "malformed_map_proof");
  pb::Append forged = WithProofs(Stamped(6, 1));
  forged.mutable_events(0)->set_map_proof(std::string("\x01\x00\x00\x00", 4));  // "absent, empty map"
  EXPECT_REFUSED(e->Append(forged), "map_proof_mismatch");

  // A rebooted notary restores the map root from the signed head; the host
  // proves the boot entry's subject.
  auto second = Boot();
  Provision(*second);
  pb::Restore head = host_.Head();
  head.set_boot_map_proof(std::string(ledger::AsString(
      sm::reference::Prove(map_, sm::KeyOf("notary/" + std::string(kOrigin))).Encode())));
  auto restored = second->Restore(head);
  ASSERT_TRUE(restored.ok()) << restored.status();
  Track(restored->boot_entry());
  EXPECT_EQ(SignedMapRoot(), sm::reference::Root(map_));
  auto more = second->Append(WithProofs(Stamped(6, 2)));
  ASSERT_TRUE(more.ok()) << more.status();
  Track(*more);
  EXPECT_EQ(SignedMapRoot(), sm::reference::Root(map_));
}

TEST_F(EnclaveMapTest, LogWithoutTheMapStaysWithout) {
  auto e = Serving();  // genesis without state_map
  auto appended = e->Append(AppendRequest(Stamped(1, 2)));
  ASSERT_TRUE(appended.ok()) << appended.status();
  auto note = ledger::note::Parse(appended->checkpoint_note()).value();
  EXPECT_FALSE(sm::FindRoot(ledger::Checkpoint::FromText(note.text).value().extensions)
                   .value()
                   .has_value());
  // A host cannot switch it on (or off) at restore: the head decides.
  pb::Restore r = host_.Head();
  r.set_state_map(true);
  auto second = Boot();
  Provision(*second);
  EXPECT_REFUSED(second->Restore(r), "bad_restore");
}

// A stamped event is sequenced at most once for the life of the log
// (map.md §5a): its stamp key outlives the notary that set it.
TEST_F(EnclaveMapTest, ARebootedNotaryRefusesWhatAnEarlierBootSequenced) {
  auto first = Boot();
  Provision(*first);
  pb::Restore genesis;
  genesis.set_genesis(true);
  genesis.set_state_map(true);
  auto booted = first->Restore(genesis);
  ASSERT_TRUE(booted.ok()) << booted.status();
  Track(booted->boot_entry());
  const ledger::Leaf boot1 =
      ledger::DecodeLeaf(ledger::AsBytes(booted->boot_entry().leaves(0))).value();
  auto appended = first->Append(WithProofs(Stamped(1, 3)));
  ASSERT_TRUE(appended.ok()) << appended.status();
  Track(*appended);
  // Within the boot: the stamp key is set, whatever the host proves.
  EXPECT_REFUSED(first->Append(WithProofs({ceremony_.Stamped(2)})), "replayed_stamp");

  auto second = Boot();
  Provision(*second);
  pb::Restore head = host_.Head();
  head.set_boot_map_proof(std::string(ledger::AsString(
      sm::reference::Prove(map_, sm::KeyOf("notary/" + std::string(kOrigin))).Encode())));
  auto restored = second->Restore(head);
  ASSERT_TRUE(restored.ok()) << restored.status();
  Track(restored->boot_entry());
  // Boot #1's events, the same bytes and stamps, after the restart.
  EXPECT_REFUSED(second->Append(WithProofs({ceremony_.Stamped(2)})), "replayed_stamp");
  // A host that hides the key with an absence proof from before it was set.
  pb::Append hidden = WithProofs({ceremony_.Stamped(2)});
  sm::reference::Entries before = map_;
  before.erase(sm::StampKeyOf(ceremony_.Stamped(2).event));
  hidden.mutable_events(0)->set_stamp_proof(std::string(ledger::AsString(
      sm::reference::Prove(before, sm::StampKeyOf(ceremony_.Stamped(2).event)).Encode())));
  EXPECT_REFUSED(second->Append(hidden), "map_proof_mismatch");
  // Boot #1's ENCLAVE_BOOTED entry, event and stamp (by the log key).
  EXPECT_REFUSED(second->Append(WithProofs({{boot1.event, boot1.stamp}})), "replayed_stamp");
  EXPECT_EQ(second->GetStatus().size(), host_.size());
  // New events still go in.
  auto more = second->Append(WithProofs(Stamped(4, 2)));
  ASSERT_TRUE(more.ok()) << more.status();
  Track(*more);
  EXPECT_EQ(SignedMapRoot(), sm::reference::Root(map_));
}

// A log without the map keeps only the per-boot window, but the notary's own
// entries are never taken from the host there either.
TEST_F(EnclaveMapTest, TheBootEntryIsNeverReplayedEvenWithoutTheMap) {
  auto e = Serving();  // genesis without state_map
  const ledger::Leaf boot1 = ledger::DecodeLeaf(host_.leaves.front()).value();
  auto second = Boot();
  Provision(*second);
  auto restored = second->Restore(host_.Head());
  ASSERT_TRUE(restored.ok()) << restored.status();
  host_.Add(restored->boot_entry());
  EXPECT_REFUSED(second->Append(AppendRequest({{boot1.event, boot1.stamp}})), "replayed_stamp");
}

}  // namespace
}  // namespace notary::testing
