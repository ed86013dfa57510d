// Everything the notary must refuse, each with its specific reason: steps out
// of order, bad provisioning material, replayed, reordered, forged-stamp,
// unauthorized-kind, rolled-back and forked inputs.
#include <gtest/gtest.h>

#include "enclave_fixture.h"
#include "ledger/note/checkpoint.h"

namespace notary::testing {
namespace {

using ledger::AsBytes;

std::string Str(ledger::ByteView b) { return std::string(ledger::AsString(b)); }

TEST_F(EnclaveFixture, StepsOutOfOrderAreRefused) {
  auto e = Boot();
  EXPECT_REFUSED(e->Append(AppendRequest(Stamped(0, 1))), "not_serving");
  pb::Restore genesis;
  genesis.set_genesis(true);
  EXPECT_REFUSED(e->Restore(genesis), "not_provisioned");
  Provision(*e);
  EXPECT_REFUSED(e->Append(AppendRequest(Stamped(0, 1))), "not_serving");
  EXPECT_REFUSED(e->Provision(ceremony_.ProvisionRequest(e->ephemeral_public_key().view(), 2, 2)),
                 "already_provisioned");
}

TEST_F(EnclaveFixture, FewerThanKSharesAreRefusedAndNothingChanges) {
  auto e = Boot();
  auto key = e->ephemeral_public_key().view();
  EXPECT_REFUSED(e->Provision(ceremony_.ProvisionRequest(key, 2, 1)), "insufficient_shares");
  EXPECT_EQ(e->state(), Enclave::State::kBooted);
  EXPECT_TRUE(e->Provision(ceremony_.ProvisionRequest(key, 2, 2)).ok());  // a retry may succeed
}

TEST_F(EnclaveFixture, AManifestWithoutEnoughApprovalsIsRefused) {
  auto e = Boot();
  EXPECT_REFUSED(e->Provision(ceremony_.ProvisionRequest(e->ephemeral_public_key().view(), 1, 2)),
                 "insufficient_approvals");
}

TEST_F(EnclaveFixture, ApprovalsOfAnotherManifestAreRefused) {
  auto e = Boot();
  auto req = ceremony_.ProvisionRequest(e->ephemeral_public_key().view(), 0, 2);
  auto other = Ceremony::Make(kOrigin, pcr0_);
  for (const auto& a : ceremony_.ApprovalsOf(other.digest, 2)) req.add_approvals(Str(a));
  EXPECT_REFUSED(e->Provision(req), "approval_for_other_manifest");
}

TEST_F(EnclaveFixture, AShareSealedForAnotherManifestDoesNotOpen) {
  auto e = Boot();
  auto req = ceremony_.ProvisionRequest(e->ephemeral_public_key().view(), 2, 0);
  auto other = Ceremony::Make(kOrigin, pcr0_);
  for (const auto& s : ceremony_.SharesFor(e->ephemeral_public_key().view(), 2, other.digest)) {
    req.add_sealed_shares(Str(s));
  }
  EXPECT_REFUSED(e->Provision(req), "sealed_box_open_failed");
}

TEST_F(EnclaveFixture, SharesSealedToAnotherNotaryDoNotOpen) {
  auto e = Boot();
  auto other = Boot();
  EXPECT_REFUSED(e->Provision(ceremony_.ProvisionRequest(other->ephemeral_public_key().view(), 2, 2)),
                 "sealed_box_open_failed");
}

TEST_F(EnclaveFixture, AManifestForAnotherMeasurementIsRefused) {
  auto e = Boot();
  auto other = Ceremony::Make(kOrigin, ledger::Bytes(48, 0x01));
  EXPECT_REFUSED(e->GetBootProof(other.manifest_bytes), "measurement_mismatch");
  EXPECT_REFUSED(e->Provision(other.ProvisionRequest(e->ephemeral_public_key().view(), 2, 2)),
                 "measurement_mismatch");
}

TEST_F(EnclaveFixture, ReplayedRequestsAreRefused) {
  auto e = Serving();
  auto append = AppendRequest(Stamped(0, 2));
  auto r = e->Append(append);
  ASSERT_TRUE(r.ok()) << r.status();
  host_.Add(*r);
  // The same frame again: its head is stale.
  EXPECT_REFUSED(e->Append(append), "head_mismatch");
  // The same stamped events on the current head: a replay.
  EXPECT_REFUSED(e->Append(AppendRequest(Stamped(0, 1))), "replayed_stamp");
  EXPECT_EQ(e->GetStatus().size(), host_.size());
}

TEST_F(EnclaveFixture, ReorderedBatchesAreRefused) {
  auto e = Serving();
  auto first = AppendRequest(Stamped(0, 2));
  auto second = first;  // what the host would send next, built on the wrong head
  second.clear_events();
  for (const auto& ev : Stamped(10, 2)) {
    auto* pe = second.add_events();
    pe->set_event(Str(ev.event));
    pe->set_stamp(Str(ev.stamp));
  }
  second.set_expected_size(host_.size() + 2);
  EXPECT_REFUSED(e->Append(second), "head_mismatch");
  EXPECT_TRUE(e->Append(first).ok());
}

TEST_F(EnclaveFixture, ForgedStampsAndUnauthorizedKindsAreRefused) {
  auto e = Serving();
  auto ev = ceremony_.Stamped(1);
  ev.stamp.back() ^= 0x01;  // the signature no longer verifies
  EXPECT_REFUSED(e->Append(AppendRequest({ev})), "bad_stamp");
  auto stranger = ledger::note::NewEd25519Signer("svc-1", ledger::Ed25519PrivateKey::Generate().value());
  ev.stamp = ledger::MakeStamp(kOrigin, ev.event, *stranger).value();
  EXPECT_REFUSED(e->Append(AppendRequest({ev})), "unknown_submitter");
  ev.stamp.clear();
  EXPECT_REFUSED(e->Append(AppendRequest({ev})), "missing_stamp");
  // svc-1 may append KEY_CREATED and KEY_ROTATED only.
  auto denied = ceremony_.Stamped(2, 0, ledger::EventKind::kKeyExported);
  EXPECT_REFUSED(e->Append(AppendRequest({denied})), "unauthorized_kind");
  // Nobody but the notary's log key may stamp ENCLAVE_BOOTED (ledger/record/ownership.h).
  auto boot = ceremony_.Stamped(3, 0, ledger::EventKind::kEnclaveBooted);
  EXPECT_REFUSED(e->Append(AppendRequest({boot})), "reserved_for_notary");
  // svc-1 is granted key/ only.
  ledger::Event other = ledger::DecodeEvent(Ceremony::EventBytes(4)).value();
  other.subject = "svc/db";
  ledger::Bytes other_bytes = ledger::EncodeEvent(other).value();
  EXPECT_REFUSED(
      e->Append(AppendRequest(
          {{other_bytes, ledger::MakeStamp(kOrigin, other_bytes, *ceremony_.submitter).value()}})),
      "subject_not_granted");
  EXPECT_EQ(e->GetStatus().size(), 1u);
}

TEST_F(EnclaveFixture, RolledBackHeadsAreRefused) {
  auto e = Serving();
  HostLog old = host_;
  auto r = e->Append(AppendRequest(Stamped(0, 3)));
  ASSERT_TRUE(r.ok());
  host_.Add(*r);
  // The serving notary holds size 4: showing it size 1 again is a rollback.
  EXPECT_REFUSED(e->Restore(old.Head()), "rollback");
  pb::Restore genesis;
  genesis.set_genesis(true);
  EXPECT_REFUSED(e->Restore(genesis), "rollback");

  // A fresh notary: a frontier that does not fold to the signed root.
  auto fresh = Boot();
  Provision(*fresh);
  auto head = host_.Head();
  head.set_frontier(0, std::string(32, '\x07'));
  EXPECT_REFUSED(fresh->Restore(head), "frontier_mismatch");
  // A last leaf that is not the signed tree's.
  head = host_.Head();
  head.set_last_leaf(Str(host_.leaves[1]));
  EXPECT_FALSE(fresh->Restore(head).ok());
  EXPECT_EQ(fresh->state(), Enclave::State::kProvisioned);
}

TEST_F(EnclaveFixture, AHeadSignedByAnotherKeyIsRefused) {
  // Another quorum (another log key) for the same origin: a fork.
  auto forked = Serving();
  HostLog fork_log = host_;
  ceremony_ = Ceremony::Make(kOrigin, pcr0_);
  auto e = Boot();
  Provision(*e);
  EXPECT_REFUSED(e->Restore(fork_log.Head()), "unverified_note");
  EXPECT_EQ(e->state(), Enclave::State::kProvisioned);
}

TEST_F(EnclaveFixture, GenesisCarriesNoHead) {
  auto e = Boot();
  Provision(*e);
  pb::Restore bad;
  bad.set_genesis(true);
  bad.set_checkpoint_note("x");
  EXPECT_REFUSED(e->Restore(bad), "bad_restore");
}

}  // namespace
}  // namespace notary::testing
