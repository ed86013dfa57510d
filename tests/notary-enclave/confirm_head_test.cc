// ConfirmHead: with witnesses required, a restored notary serves only once
// the witness quorum has cosigned exactly the checkpoint it signed at Restore
// (rollback protection across restarts, docs/architecture.md §4.2).
#include <gtest/gtest.h>

#include "enclave_fixture.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/witness_time.h"
#include "ledger/trust/policy.h"
#include "notary/frame.h"

namespace notary::testing {
namespace {

using ledger::note::CosignatureV1Signer;

class ConfirmHeadTest : public EnclaveFixture {
 protected:
  ConfirmHeadTest() {
    for (const char* name : {"witness-a.test", "witness-b.test", "witness-c.test"}) {
      witnesses_.push_back(ledger::note::NewCosignatureV1Signer(
          name, ledger::Ed25519PrivateKey::Generate().value(),
          [now = witness_now_] { return *now; }));
    }
    std::vector<std::string> vkeys;
    for (const auto& w : witnesses_) vkeys.push_back(w->VerifierKey());
    ceremony_ = Ceremony::Make(kOrigin, pcr0_, 2, 3, vkeys, 2);
  }

  // A provisioned notary restored to host_'s head (genesis if empty): the
  // boot entry goes to host_; the notary waits for ConfirmHead.
  std::unique_ptr<Enclave> Restored() {
    auto e = Boot();
    Provision(*e);
    pb::Restore restore = host_.Head();
    if (host_.size() == 0) {
      restore = pb::Restore();
      restore.set_genesis(true);
    }
    auto r = e->Restore(restore);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) host_.Add(r->boot_entry());
    return e;
  }

  // `note` with one cosignature line by each of `by`.
  static std::string Cosign(const std::string& note,
                            const std::vector<const CosignatureV1Signer*>& by) {
    auto parsed = ledger::note::Parse(note).value();
    for (const CosignatureV1Signer* w : by) {
      parsed.signatures.push_back({w->name(), w->key_id(), w->Sign(parsed.text).value()});
    }
    return ledger::note::Format(parsed);
  }

  pb::ConfirmHead Confirm(const std::string& note) const {
    pb::ConfirmHead c;
    c.set_checkpoint_note(note);
    return c;
  }

  const CosignatureV1Signer* W(size_t i) const { return witnesses_[i].get(); }

  // The witnesses' clock (seconds): the notary's test clock starts at the same time.
  std::shared_ptr<uint64_t> witness_now_ = std::make_shared<uint64_t>(now_us_ / 1'000'000);
  std::vector<std::unique_ptr<CosignatureV1Signer>> witnesses_;
};

TEST_F(ConfirmHeadTest, RestoredNotaryServesOnlyAfterTheQuorumCosignedItsCheckpoint) {
  auto e = Restored();
  ASSERT_EQ(e->state(), Enclave::State::kConfirming);
  EXPECT_EQ(e->GetStatus().state(), pb::StatusInfo::CONFIRMING);
  EXPECT_REFUSED(e->Append(AppendRequest(Stamped(0, 1))), "head_unconfirmed");
  pb::ChangePolicy change;
  change.set_expected_size(host_.size());
  change.set_expected_root(host_.RootBytes());
  EXPECT_REFUSED(e->ChangePolicy(change), "head_unconfirmed");

  auto confirmed = e->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(0), W(2)})));
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_EQ(confirmed->size(), host_.size());
  EXPECT_EQ(confirmed->cosignatures(), 2u);
  EXPECT_EQ(e->state(), Enclave::State::kServing);
  auto appended = e->Append(AppendRequest(Stamped(0, 3)));
  ASSERT_TRUE(appended.ok()) << appended.status();
  host_.Add(*appended);
  // Once serving, there is nothing left to confirm.
  EXPECT_REFUSED(e->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(0), W(1)}))),
                 "not_confirming");
}

TEST_F(ConfirmHeadTest, EveryRestartNeedsANewConfirmationOfItsOwnCheckpoint) {
  auto first = Restored();
  const std::string boot1 = host_.checkpoint_note;
  ASSERT_TRUE(first->ConfirmHead(Confirm(Cosign(boot1, {W(0), W(1)}))).ok());
  auto appended = first->Append(AppendRequest(Stamped(0, 2)));
  ASSERT_TRUE(appended.ok());
  host_.Add(*appended);
  const std::string before_restart = host_.checkpoint_note;

  auto second = Restored();  // a new instance, restored from the host's head
  ASSERT_EQ(second->state(), Enclave::State::kConfirming);
  // A cosigned older checkpoint (even the exact head it was shown) proves
  // nothing about the checkpoint it signed now.
  EXPECT_REFUSED(second->ConfirmHead(Confirm(Cosign(before_restart, {W(0), W(1), W(2)}))),
                 "checkpoint_mismatch");
  EXPECT_REFUSED(second->ConfirmHead(Confirm(Cosign(boot1, {W(0), W(1)}))),
                 "checkpoint_mismatch");
  EXPECT_EQ(second->state(), Enclave::State::kConfirming);
  ASSERT_TRUE(second->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(1), W(2)}))).ok());
  EXPECT_EQ(second->state(), Enclave::State::kServing);
}

TEST_F(ConfirmHeadTest, TooFewDuplicateOrUnknownWitnessesAreRefused) {
  auto e = Restored();
  const std::string& note = host_.checkpoint_note;
  EXPECT_REFUSED(e->ConfirmHead(Confirm(note)), "witness_quorum_not_met");
  EXPECT_REFUSED(e->ConfirmHead(Confirm(Cosign(note, {W(1)}))), "witness_quorum_not_met");
  // One witness twice is one witness.
  EXPECT_REFUSED(e->ConfirmHead(Confirm(Cosign(note, {W(1), W(1)}))), "witness_quorum_not_met");
  // A witness the manifest does not name does not count, even under a known
  // witness's name (another key ID).
  auto stranger = ledger::note::NewCosignatureV1Signer(
      "witness-x.test", ledger::Ed25519PrivateKey::Generate().value());
  auto impostor = ledger::note::NewCosignatureV1Signer(
      "witness-b.test", ledger::Ed25519PrivateKey::Generate().value());
  EXPECT_REFUSED(e->ConfirmHead(Confirm(Cosign(note, {W(0), stranger.get(), impostor.get()}))),
                 "witness_quorum_not_met");
  // The log's own signature is never a witness's.
  EXPECT_EQ(e->state(), Enclave::State::kConfirming);
}

TEST_F(ConfirmHeadTest, ABadCosignatureOrAnUnsignedCheckpointIsRefused) {
  auto e = Restored();
  const std::string& note = host_.checkpoint_note;
  // A known witness's line that does not verify rejects the whole note
  // (signed-note §Signatures), even with a quorum of good lines beside it.
  auto parsed = ledger::note::Parse(Cosign(note, {W(0), W(1), W(2)})).value();
  parsed.signatures.back().payload.back() ^= 1;
  EXPECT_REFUSED(e->ConfirmHead(Confirm(ledger::note::Format(parsed))), "bad_signature");
  // The cosignatures of another checkpoint text do not verify here.
  auto other = ledger::note::Parse(note).value();
  auto moved = ledger::note::Parse(Cosign(note, {W(0), W(1)})).value();
  for (size_t i = 1; i < moved.signatures.size(); ++i) {
    moved.signatures[i].payload = W(i - 1)->Sign(other.text + "x\n").value();
  }
  EXPECT_REFUSED(e->ConfirmHead(Confirm(ledger::note::Format(moved))), "bad_signature");
  // Witness lines without the log's signature are not a checkpoint of this log.
  auto unsigned_note = ledger::note::Parse(Cosign(note, {W(0), W(1)})).value();
  unsigned_note.signatures.erase(unsigned_note.signatures.begin());
  EXPECT_FALSE(e->ConfirmHead(Confirm(ledger::note::Format(unsigned_note))).ok());
  EXPECT_REFUSED(e->ConfirmHead(Confirm("not a note")), "malformed_note");
  EXPECT_EQ(e->state(), Enclave::State::kConfirming);
}

TEST_F(ConfirmHeadTest, ConfirmHeadBeforeRestoreOrWithoutWitnessesIsRefused) {
  auto e = Boot();
  EXPECT_REFUSED(e->ConfirmHead(Confirm("x")), "not_confirming");
  Provision(*e);
  EXPECT_REFUSED(e->ConfirmHead(Confirm("x")), "not_confirming");
  // A manifest without witnesses serves right after Restore.
  ceremony_ = Ceremony::Make(kOrigin, pcr0_);
  auto plain = Serving();
  EXPECT_EQ(plain->state(), Enclave::State::kServing);
  EXPECT_REFUSED(plain->ConfirmHead(Confirm(host_.checkpoint_note)), "not_confirming");
}

TEST_F(ConfirmHeadTest, TheRequestTravelsInOneCanonicalFrame) {
  auto e = Restored();
  pb::HostRequest request;
  *request.mutable_confirm_head() = Confirm(Cosign(host_.checkpoint_note, {W(0), W(1)}));
  auto frame = frame::EncodeRequest(request);
  ASSERT_TRUE(frame.ok());
  auto decoded = frame::DecodeRequest(*frame);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  pb::NotaryResponse response = e->Handle(*decoded);
  ASSERT_EQ(response.body_case(), pb::NotaryResponse::kHeadConfirmed);
  EXPECT_EQ(response.head_confirmed().size(), host_.size());
  auto encoded = frame::EncodeResponse(response);
  ASSERT_TRUE(encoded.ok());
  EXPECT_TRUE(frame::DecodeResponse(*encoded).ok());
}

// Time the host cannot move (ledger/note/witness_time.h): the notary's clock is
// checked against the witnesses' cosignature times.
constexpr uint64_t kSevenYearsUs = uint64_t{7} * 365 * 24 * 3600 * 1'000'000;
constexpr uint64_t kBoundUs = ledger::kMaxClockSkewSeconds * 1'000'000;

class NotaryClockTest : public ConfirmHeadTest {
 protected:
  // A notary restored and confirmed by witnesses whose clock agrees with it.
  std::unique_ptr<Enclave> Confirmed() {
    auto e = Restored();
    auto confirmed = e->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(0), W(1)})));
    EXPECT_TRUE(confirmed.ok()) << confirmed.status();
    return e;
  }

  ledger::Status AppendOne(Enclave& e) {
    auto appended = e.Append(AppendRequest(Stamped(next_event_++, 1)));
    if (!appended.ok()) return appended.status();
    host_.Add(*appended);
    return ledger::Status::Ok();
  }

  // The host's head as the witnesses cosign it now.
  pb::CheckClock Cosigned() const {
    pb::CheckClock c;
    c.set_checkpoint_note(Cosign(host_.checkpoint_note, {W(1), W(2)}));
    return c;
  }

  uint64_t next_event_ = 0;
};

TEST_F(NotaryClockTest, AClockMovedSevenYearsAheadGetsNoServingNotary) {
  now_us_ += kSevenYearsUs;
  auto e = Restored();
  EXPECT_REFUSED(e->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(0), W(1)}))),
                 "clock_skew");
  EXPECT_EQ(e->state(), Enclave::State::kConfirming);
  EXPECT_REFUSED(e->Append(AppendRequest(Stamped(0, 1))), "head_unconfirmed");
}

TEST_F(NotaryClockTest, ABootEntryDatedByAClockMovedAheadAtRestoreIsCaught) {
  // The host moves the clock forward for Restore only, then back.
  now_us_ += kSevenYearsUs;
  auto e = Restored();
  now_us_ -= kSevenYearsUs;
  EXPECT_REFUSED(e->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(0), W(1)}))),
                 "recorded_after_cosignature");
  EXPECT_EQ(e->state(), Enclave::State::kConfirming);
}

TEST_F(NotaryClockTest, AppendsStopOnceTheClockLeavesTheWitnessesTime) {
  auto e = Confirmed();
  ASSERT_TRUE(AppendOne(*e).ok());
  // Seven years ahead: refused at once (the witness time from ConfirmHead is
  // now seven years old), and a freshly cosigned checkpoint says the same.
  now_us_ += kSevenYearsUs;
  EXPECT_EQ(AppendOne(*e).reason(), "clock_skew");
  auto checked = e->CheckClock(Cosigned());
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_FALSE(checked->in_bound());
  EXPECT_EQ(checked->witness_time(), *witness_now_);
  EXPECT_EQ(AppendOne(*e).reason(), "clock_skew");
  // Nothing was sequenced with the future time.
  EXPECT_EQ(e->GetStatus().size(), host_.size());
  // The clock set right again: sequencing resumes.
  now_us_ -= kSevenYearsUs;
  ASSERT_TRUE(AppendOne(*e).ok());
  // Moved back beyond the bound: refused too.
  now_us_ -= kBoundUs + 2'000'000;
  EXPECT_EQ(AppendOne(*e).reason(), "clock_skew");
}

TEST_F(NotaryClockTest, WitnessTimeMustStayFresh) {
  auto e = Confirmed();
  ASSERT_TRUE(AppendOne(*e).ok());
  // Real time passes (both clocks), but no new cosignature reaches the
  // notary: past the bound it stops, whatever the host's reason.
  now_us_ += kBoundUs + 2'000'000;
  *witness_now_ += ledger::kMaxClockSkewSeconds + 2;
  EXPECT_EQ(AppendOne(*e).reason(), "clock_skew");
  // An older cosignature does not help; a fresh one does.
  pb::CheckClock stale;
  *witness_now_ -= ledger::kMaxClockSkewSeconds + 2;
  stale = Cosigned();
  *witness_now_ += ledger::kMaxClockSkewSeconds + 2;
  ASSERT_TRUE(e->CheckClock(stale).ok());
  EXPECT_EQ(AppendOne(*e).reason(), "clock_skew");
  auto checked = e->CheckClock(Cosigned());
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_TRUE(checked->in_bound());
  EXPECT_TRUE(AppendOne(*e).ok());
}

TEST_F(NotaryClockTest, CheckClockTakesOnlyAQuorumOfManifestWitnesses) {
  auto e = Restored();
  EXPECT_REFUSED(e->CheckClock(Cosigned()), "head_unconfirmed");
  ASSERT_TRUE(e->ConfirmHead(Confirm(Cosign(host_.checkpoint_note, {W(0), W(1)}))).ok());
  pb::CheckClock one;
  one.set_checkpoint_note(Cosign(host_.checkpoint_note, {W(0)}));
  EXPECT_REFUSED(e->CheckClock(one), "witness_quorum_not_met");
  // A stranger's cosignature, however fresh, is not the witnesses' time.
  auto stranger = ledger::note::NewCosignatureV1Signer(
      "witness-x.test", ledger::Ed25519PrivateKey::Generate().value(),
      [] { return uint64_t{4'000'000'000}; });
  pb::CheckClock foreign;
  foreign.set_checkpoint_note(Cosign(host_.checkpoint_note, {W(0), stranger.get()}));
  EXPECT_REFUSED(e->CheckClock(foreign), "witness_quorum_not_met");
  auto parsed = ledger::note::Parse(Cosigned().checkpoint_note()).value();
  parsed.signatures.back().payload[3] ^= 1;  // the timestamp changed: the signature fails
  pb::CheckClock forged;
  forged.set_checkpoint_note(ledger::note::Format(parsed));
  EXPECT_REFUSED(e->CheckClock(forged), "bad_signature");
}

TEST_F(NotaryClockTest, WithoutWitnessesThereIsNoWitnessTime) {
  ceremony_ = Ceremony::Make(kOrigin, pcr0_);
  auto plain = Serving();
  EXPECT_REFUSED(plain->CheckClock(Cosigned()), "no_witnesses");
}

TEST_F(NotaryClockTest, CheckClockTravelsInOneCanonicalFrame) {
  auto e = Confirmed();
  pb::HostRequest request;
  *request.mutable_check_clock() = Cosigned();
  auto frame = frame::EncodeRequest(request);
  ASSERT_TRUE(frame.ok());
  auto decoded = frame::DecodeRequest(*frame);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  pb::NotaryResponse response = e->Handle(*decoded);
  ASSERT_EQ(response.body_case(), pb::NotaryResponse::kClockChecked) << response.error().reason();
  EXPECT_TRUE(response.clock_checked().in_bound());
  auto encoded = frame::EncodeResponse(response);
  ASSERT_TRUE(encoded.ok());
  EXPECT_TRUE(frame::DecodeResponse(*encoded).ok());
}

}  // namespace
}  // namespace notary::testing
