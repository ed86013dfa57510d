// The notary with the state map (map.md §6): a log created with it carries
// the map line on every checkpoint from its ENCLAVE_BOOTED entry on; appends
// need the host's proofs, which the notary checks against the root it holds;
// a rebooted notary takes the root from the head its key signed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "enclave_fixture.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/retention/retention.h"
#include "ledger/retention/retention_map.h"
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

// A retention entry (retention.md §5) comes with its retention proof
// (SubmittedEvent.retention_proof, map.md §5b), which the notary checks
// against its root before judging the rule.
TEST_F(EnclaveMapTest, ARetentionEntryIsJudgedOnItsRetentionProof) {
  namespace rm = ledger::retention_map;
  auto e = Boot();
  Provision(*e);
  pb::Restore genesis;
  genesis.set_genesis(true);
  genesis.set_state_map(true);
  auto booted = e->Restore(genesis);
  ASSERT_TRUE(booted.ok()) << booted.status();
  Track(booted->boot_entry());

  auto hold = [&](const std::string& event_id) {
    ledger::Event h;
    h.kind = ledger::EventKind::kLegalHoldPlaced;
    h.event_id = event_id;
    h.occurred_at_us = 1000;
    h.actor.id = "legal";
    h.subject = "key/k-1";
    h.attributes = {{ledger::kAttrHoldId, "case-1"}};
    ledger::Bytes bytes = ledger::EncodeEvent(h).value();
    ledger::Bytes stamp = ledger::MakeStamp(kOrigin, bytes, *ceremony_.submitter).value();
    return ledger::SubmittedEvent{bytes, stamp};
  };
  // The retention subject key's proof, against the map after the entry's
  // stamp key and subject.
  auto proof = [&](const ledger::SubmittedEvent& ev, const ledger::Bytes& record) {
    auto planned = map_;
    const uint64_t index = host_.size();
    planned[sm::StampKeyOf(ev.event)] = sm::StampValue(index);
    const ledger::Hash key = sm::KeyOf("key/k-1");
    auto it = planned.find(key);
    planned[key] = sm::NextValue(it == planned.end() ? std::nullopt : std::optional(it->second),
                                 index, std::nullopt);
    rm::RetentionProof p;
    p.subject = rm::RetentionProof::Keyed{
        sm::reference::Prove(planned, rm::SubjectKey("key/k-1")), record};
    return std::string(ledger::AsString(p.Encode()));
  };

  const ledger::SubmittedEvent first = hold("hold-1");
  pb::Append a = WithProofs({first});
  EXPECT_REFUSED(e->Append(a), "retention_proof_missing");
  const std::string absent = proof(first, {});
  a.mutable_events(0)->set_retention_proof(absent);
  auto placed = e->Append(a);
  ASSERT_TRUE(placed.ok()) << placed.status();
  Track(*placed);
  // The hold, with the key that placed it, is in the signed map.
  ledger::SubjectRetention s;
  s.holds["case-1"] = {ceremony_.submitter->name(), ceremony_.submitter->key_id()};
  const ledger::Bytes record = s.Encode();
  map_[rm::SubjectKey("key/k-1")] = rm::RecordValue(std::nullopt, host_.size() - 1, record);
  EXPECT_EQ(SignedMapRoot(), sm::reference::Root(map_));

  // Placing it again: a host that hides the hold with the old absence
  // proof is caught; with the honest proof the rule refuses.
  const ledger::SubmittedEvent again = hold("hold-2");
  pb::Append b = WithProofs({again});
  b.mutable_events(0)->set_retention_proof(absent);
  EXPECT_REFUSED(e->Append(b), "map_proof_mismatch");
  b.mutable_events(0)->set_retention_proof(proof(again, ledger::SubjectRetention{}.Encode()));
  EXPECT_REFUSED(e->Append(b), "retention_record_mismatch");
  b.mutable_events(0)->set_retention_proof(proof(again, record));
  EXPECT_REFUSED(e->Append(b), "hold_exists");
  b.mutable_events(0)->set_retention_proof("\x02");
  EXPECT_REFUSED(e->Append(b), "malformed_retention_proof");
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


// No manifest rollback (manifest.md §6). The map records, under the notary's
// subject, the manifest digest of the latest ENCLAVE_BOOTED entry; a
// restored log goes on only under that manifest or its approved successor.
class ManifestSuccessionTest : public EnclaveMapTest {
 protected:
  struct Version {
    ledger::Bytes bytes;
    ledger::Hash digest;
  };
  // A manifest of this log (same operators and quorum key) with `nonce`,
  // succeeding `predecessor` when given, with one required witness or none.
  Version Make(uint64_t nonce, std::optional<ledger::Hash> predecessor, bool witnessed) const {
    ledger::Manifest m = ceremony_.manifest;
    m.nonce = nonce;
    m.predecessor = predecessor;
    if (witnessed) {
      m.witnesses = {witness_};
      m.witness_quorum = 1;
    }
    Version v;
    v.bytes = ledger::EncodeManifest(m).value();
    v.digest = ledger::ManifestDigest(v.bytes);
    return v;
  }
  Version Genesis() const { return {ceremony_.manifest_bytes, ceremony_.digest}; }

  // A rebooted notary, approved and provisioned by the operators under `v`.
  std::unique_ptr<Enclave> BootUnder(const Version& v) {
    auto e = Boot();
    pb::Provision p;
    p.set_manifest(std::string(ledger::AsString(v.bytes)));
    for (const auto& a : ceremony_.ApprovalsOf(v.digest, 2)) {
      p.add_approvals(std::string(ledger::AsString(a)));
    }
    for (const auto& box : ceremony_.SharesFor(e->ephemeral_public_key().view(), 2, v.digest)) {
      p.add_sealed_shares(std::string(ledger::AsString(box)));
    }
    auto r = e->Provision(p);
    EXPECT_TRUE(r.ok()) << r.status();
    return e;
  }

  // The head the host holds, with the proof for the boot subject from `map`.
  pb::Restore HeadWithBootProof(const sm::reference::Entries& map) const {
    pb::Restore head = host_.Head();
    head.set_boot_map_proof(std::string(
        ledger::AsString(sm::reference::Prove(map, BootKey()).Encode())));
    return head;
  }
  static ledger::Hash BootKey() { return sm::KeyOf("notary/" + std::string(kOrigin)); }

  // A new log with the map under the genesis manifest, and one append.
  void StartLog() {
    auto e = Boot();
    Provision(*e);
    pb::Restore genesis;
    genesis.set_genesis(true);
    genesis.set_state_map(true);
    auto booted = e->Restore(genesis);
    ASSERT_TRUE(booted.ok()) << booted.status();
    Track(booted->boot_entry());
    auto appended = e->Append(WithProofs(Stamped(1, 3)));
    ASSERT_TRUE(appended.ok()) << appended.status();
    Track(*appended);
  }

  // The attributes of the last entry the host holds.
  std::map<std::string, std::string> LastAttributes() const {
    auto leaf = ledger::DecodeLeaf(host_.leaves.back()).value();
    auto event = ledger::DecodeEvent(leaf.event).value();
    return {event.attributes.begin(), event.attributes.end()};
  }

  std::string witness_ = ledger::note::FormatVerifierKey(
      "witness.test", ledger::note::kAlgCosignatureV1,
      ledger::Ed25519PrivateKey::Generate().value().public_key().view());
};

TEST_F(ManifestSuccessionTest, AnApprovedSuccessorTakesOverAndTheOlderManifestIsRefused) {
  StartLog();
  ASSERT_FALSE(HasFatalFailure());
  const Version genesis = Genesis();
  // The operators roll out a successor that requires a witness.
  const Version next = Make(2, genesis.digest, /*witnessed=*/true);
  auto second = BootUnder(next);
  auto restored = second->Restore(HeadWithBootProof(map_));
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(second->state(), Enclave::State::kConfirming);
  Track(restored->boot_entry());
  // The boot entry records the succession.
  auto attributes = LastAttributes();
  EXPECT_EQ(attributes["manifest_digest"], next.digest.Hex());
  EXPECT_EQ(attributes["manifest_predecessor"], genesis.digest.Hex());
  EXPECT_EQ(map_.at(BootKey()).state, next.digest);

  // The host goes back to the genesis manifest, whose approvals never
  // expire and which requires no witness: refused, nothing sequenced.
  const uint64_t size = host_.size();
  auto third = BootUnder(genesis);
  EXPECT_REFUSED(third->Restore(HeadWithBootProof(map_)), "manifest_rollback");
  EXPECT_EQ(third->state(), Enclave::State::kProvisioned);
  // ... nor can it show a map in which the boot subject still holds the
  // genesis digest: the proof does not lead to the signed root.
  auto forged_map = map_;
  forged_map[BootKey()].state = genesis.digest;
  EXPECT_REFUSED(third->Restore(HeadWithBootProof(forged_map)), "map_proof_mismatch");
  // An unrelated manifest, and another successor of the genesis manifest
  // (not of the one in force), are refused too.
  EXPECT_REFUSED(BootUnder(Make(3, std::nullopt, true))->Restore(HeadWithBootProof(map_)),
                 "manifest_rollback");
  EXPECT_REFUSED(BootUnder(Make(4, genesis.digest, true))->Restore(HeadWithBootProof(map_)),
                 "manifest_rollback");
  EXPECT_EQ(host_.size(), size);

  // The manifest in force restores again, and its own successor takes over.
  auto again = BootUnder(next);
  auto same = again->Restore(HeadWithBootProof(map_));
  ASSERT_TRUE(same.ok()) << same.status();
  Track(same->boot_entry());
  EXPECT_EQ(LastAttributes().count("manifest_predecessor"), 1u);
  const Version after = Make(5, next.digest, true);
  auto fourth = BootUnder(after);
  auto succeeded = fourth->Restore(HeadWithBootProof(map_));
  ASSERT_TRUE(succeeded.ok()) << succeeded.status();
  Track(succeeded->boot_entry());
  EXPECT_EQ(map_.at(BootKey()).state, after.digest);
  // Now `next` is the older one.
  EXPECT_REFUSED(BootUnder(next)->Restore(HeadWithBootProof(map_)), "manifest_rollback");
}

// A manifest whose witness quorums need not intersect, or that lists one key
// twice, cannot be made with EncodeManifest; the notary refuses such bytes
// from the host before pinning them.
TEST_F(ManifestSuccessionTest, TheNotaryRefusesWitnessQuorumsThatNeedNotIntersect) {
  ledger::Manifest m = ceremony_.manifest;
  for (int i = 0; i < 4; ++i) {
    m.witnesses.push_back(ledger::note::FormatVerifierKey(
        "w" + std::to_string(i) + ".test", ledger::note::kAlgCosignatureV1,
        ledger::Ed25519PrivateKey::Generate().value().public_key().view()));
  }
  m.witness_quorum = 3;
  ledger::Bytes bytes = ledger::EncodeManifest(m).value();
  ASSERT_EQ(bytes[bytes.size() - 2], 3);
  bytes[bytes.size() - 2] = 2;  // 2 of 4 (no registry: the byte before its flags)
  auto e = Boot();
  EXPECT_REFUSED(e->GetBootProof(bytes), "non_intersecting_witness_quorum");
  pb::Provision p = ceremony_.ProvisionRequest(e->ephemeral_public_key().view(), 2, 2);
  p.set_manifest(std::string(ledger::AsString(bytes)));
  EXPECT_REFUSED(e->Provision(p), "non_intersecting_witness_quorum");

  // w1's key under w0's name as well (names of equal length).
  std::sort(m.witnesses.begin(), m.witnesses.end());
  m.witness_quorum = 3;
  std::string s(ledger::AsString(ledger::EncodeManifest(m).value()));
  const std::string& w1 = m.witnesses[1];  // <name>+<key ID>+<base64(type || key)>
  const std::string key_b64 = w1.substr(w1.find('+', w1.find('+') + 1) + 1);
  auto key = ledger::Ed25519PublicKey::FromBytes(
      ledger::ByteView(ledger::Base64Decode(key_b64).value()).subspan(1)).value();
  const std::string dup =
      ledger::note::FormatVerifierKey("w0.test", ledger::note::kAlgCosignatureV1, key.view());
  const size_t at = s.find(m.witnesses[0]);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(dup.size(), m.witnesses[0].size());
  s.replace(at, dup.size(), dup);
  EXPECT_REFUSED(e->GetBootProof(ledger::AsBytes(s)), "duplicate_witness_key");
  EXPECT_EQ(e->state(), Enclave::State::kBooted);
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
