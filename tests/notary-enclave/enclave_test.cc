// The notary state machine, in-process with real crypto: boot proof,
// provisioning, genesis, append with app proofs, restart + re-provisioning.
#include <gtest/gtest.h>

#include "enclave_fixture.h"
#include "ledger/attestation/attestation.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "notary/app_proof.h"

namespace notary::testing {
namespace {

using ledger::AsBytes;

TEST_F(EnclaveFixture, BootProofAttestsTheEphemeralKeyAndTheManifest) {
  auto e = Boot();
  EXPECT_EQ(e->state(), Enclave::State::kBooted);
  auto proof = e->GetBootProof(ceremony_.manifest_bytes);
  ASSERT_TRUE(proof.ok()) << proof.status();
  ledger::AttestationPolicy policy;
  policy.root_der = SharedPki().root_der;
  policy.expected_pcrs[0] = pcr0_;
  policy.expected_user_data = ledger::Bytes(ceremony_.digest.bytes.begin(), ceremony_.digest.bytes.end());
  auto verified = ledger::VerifyAttestation(AsBytes(proof->attestation()), policy);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(ledger::AsString(verified->public_key), ledger::AsString(e->ephemeral_public_key().view()));
  EXPECT_EQ(proof->manifest_digest(), std::string(ledger::AsString(ceremony_.digest.view())));
  // The same boot keeps the same document; another manifest is refused.
  EXPECT_EQ(e->GetBootProof({})->attestation(), proof->attestation());
  auto other = Ceremony::Make(kOrigin, pcr0_);
  EXPECT_REFUSED(e->GetBootProof(other.manifest_bytes), "manifest_mismatch");
}

TEST_F(EnclaveFixture, GenesisRecordsTheBootAndAppendsSignCheckpointsAndAppProofs) {
  auto e = Serving();
  ASSERT_EQ(e->state(), Enclave::State::kServing);
  ASSERT_EQ(host_.size(), 1u);
  auto vkey = e->GetStatus().log_vkey();
  auto verifier = ledger::note::ParseVerifierKey(vkey).value();

  // Entry 0 is ENCLAVE_BOOTED, stamped by the log key, naming this boot's key.
  auto leaf = ledger::DecodeLeaf(host_.leaves[0]).value();
  auto event = ledger::DecodeEvent(leaf.event).value();
  EXPECT_EQ(event.kind, ledger::EventKind::kEnclaveBooted);
  const ledger::note::Verifier* known[] = {verifier.get()};
  EXPECT_TRUE(ledger::VerifyStamp(kOrigin, leaf.event, leaf.stamp, known).ok());
  bool names_key = false;
  for (const auto& [k, v] : event.attributes) {
    names_key |= k == "ephemeral_public_key" && v == e->ephemeral_public_key().Hex();
  }
  EXPECT_TRUE(names_key);

  for (uint64_t batch = 0; batch < 3; ++batch) {
    auto r = e->Append(AppendRequest(Stamped(batch * 10, 10)));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->first_index(), host_.size());
    host_.Add(*r);
    auto cp = ledger::VerifyCheckpoint(r->checkpoint_note(), *verifier);
    ASSERT_TRUE(cp.ok()) << cp.status();
    EXPECT_EQ(cp->checkpoint.size, host_.size());
    EXPECT_EQ(cp->checkpoint.root, host_.Root());
    EXPECT_TRUE(VerifyAppProof(r->checkpoint_note(), r->first_index(), 10,
                               AsBytes(r->app_proof().payload()),
                               AsBytes(r->app_proof().signature()),
                               AsBytes(r->app_proof().public_key()))
                    .ok());
    EXPECT_EQ(r->app_proof().public_key(), std::string(ledger::AsString(e->ephemeral_public_key().view())));
  }
  EXPECT_EQ(e->GetStatus().size(), 31u);
}

TEST_F(EnclaveFixture, RestartAndReprovisionGiveTheSameLogKeyAndContinueTheLog) {
  std::string vkey;
  {
    auto first = Serving();
    vkey = first->GetStatus().log_vkey();
    auto r = first->Append(AppendRequest(Stamped(0, 5)));
    ASSERT_TRUE(r.ok()) << r.status();
    host_.Add(*r);
  }  // the first instance is gone, with its memory
  auto second = Boot();
  auto provisioned = Provision(*second);
  EXPECT_EQ(provisioned.log_vkey(), vkey);
  // The registry key is derived from the same quorum secret: same key too.
  auto third = Boot();
  EXPECT_EQ(Provision(*third).registry_public_key(), provisioned.registry_public_key());
  EXPECT_EQ(provisioned.registry_public_key().size(), 33u);
  EXPECT_NE(second->ephemeral_public_key(), ledger::P256PublicKey());
  auto restored = second->Restore(host_.Head());
  ASSERT_TRUE(restored.ok()) << restored.status();
  ASSERT_TRUE(restored->has_boot_entry());
  EXPECT_EQ(restored->boot_entry().first_index(), 6u);  // boot 0, events 1-5, boot 6
  host_.Add(restored->boot_entry());
  auto r = second->Append(AppendRequest(Stamped(100, 3)));
  ASSERT_TRUE(r.ok()) << r.status();
  host_.Add(*r);
  auto verifier = ledger::note::ParseVerifierKey(vkey).value();
  auto cp = ledger::VerifyCheckpoint(r->checkpoint_note(), *verifier);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->checkpoint.size, 10u);
  EXPECT_EQ(cp->checkpoint.root, host_.Root());
}

TEST_F(EnclaveFixture, AReconnectingHostMayShowTheHeldHeadAgain) {
  auto e = Serving();
  auto again = e->Restore(host_.Head());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->has_boot_entry());
  EXPECT_EQ(e->GetStatus().size(), 1u);
}

TEST_F(EnclaveFixture, HandleMapsRefusalsToErrorResponses) {
  auto e = Boot();
  pb::HostRequest req;
  *req.mutable_append() = AppendRequest(Stamped(0, 1));
  auto resp = e->Handle(req);
  ASSERT_TRUE(resp.has_error());
  EXPECT_EQ(resp.error().code(), "failed_precondition");
  EXPECT_EQ(resp.error().reason(), "not_serving");
  req.mutable_get_status();
  resp = e->Handle(req);
  ASSERT_TRUE(resp.has_status());
  EXPECT_EQ(resp.status().state(), pb::StatusInfo::BOOTED);
  EXPECT_EQ(resp.status().platform(), "sim");
}

}  // namespace
}  // namespace notary::testing
