// Who may write what (ledger/record/ownership.h, policy.md §2): a submitter names
// only the subjects its grant covers, the notary's own records (boot and
// policy entries, notary* subjects) carry the log key's stamp and nothing
// else does, and an empty notarized policy admits no unstamped event.
#include <gtest/gtest.h>

#include "ledger/record/event.h"
#include "ledger/record/ownership.h"
#include "ledger/record/stamp.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/trust/policy.h"

namespace ledger {
namespace {

constexpr char kOrigin[] = "ledger.example/grants";

Ed25519PrivateKey LogKey() { return Ed25519PrivateKey::FromSeed(Bytes(32, 0x31)).value(); }
Ed25519PrivateKey KeyOf(uint8_t seed) {
  return Ed25519PrivateKey::FromSeed(Bytes(32, seed)).value();
}

uint64_t Now() { return 1'700'000'000'000'000ull; }

Bytes EventBytes(EventKind kind, const std::string& subject, int n = 0) {
  Event e;
  e.kind = kind;
  e.event_id = "e-" + std::to_string(n);
  e.occurred_at_us = 1000 + static_cast<uint64_t>(n);
  e.actor.id = "svc";
  e.subject = subject;
  return EncodeEvent(e).value();
}

class SequencerGrantsTest : public ::testing::Test {
 protected:
  SequencerGrantsTest()
      : db_(note::NewEd25519Signer("svc-db", KeyOf(1))),
        host_(note::NewEd25519Signer("ledgerd.host", KeyOf(2))),
        log_(note::NewEd25519Signer(kOrigin, LogKey())) {}

  // svc-db: STATE_NOTARIZED and KEY_CREATED on svc/db/ and key/db-;
  // ledgerd.host: VERIFICATION_RUN on verification/.
  Policy Grants() const {
    return Policy{
        0,
        {{"svc-db",
          db_->VerifierKey(),
          {EventKind::kKeyCreated, EventKind::kStateNotarized},
          {"key/db-", "svc/db/"}},
         {"ledgerd.host", host_->VerifierKey(), {EventKind::kVerificationRun}, {"verification/"}}}};
  }

  Sequencer Start(const Policy& p) {
    return Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()),
                              ToSubmitterPolicy(p).value(), Now)
        .value();
  }

  static Status Send(Sequencer& s, const Bytes& event, const Bytes& stamp) {
    return s.Sequence(s.head().size(), s.head().range.Root(), {{{event, stamp}}}).status();
  }
  static Status Send(Sequencer& s, const Bytes& event, const note::Signer& by) {
    return Send(s, event, MakeStamp(kOrigin, event, by).value());
  }

  std::unique_ptr<note::Signer> db_, host_, log_;
};

TEST_F(SequencerGrantsTest, ASubmitterNamesOnlyTheSubjectsItIsGranted) {
  Sequencer s = Start(Grants());
  EXPECT_TRUE(Send(s, EventBytes(EventKind::kKeyCreated, "key/db-1"), *db_).ok());
  EXPECT_TRUE(Send(s, EventBytes(EventKind::kStateNotarized, "svc/db/main", 1), *db_).ok());
  // Another service's subject, and a prefix that only looks alike.
  EXPECT_EQ(Send(s, EventBytes(EventKind::kKeyCreated, "key/payments-1"), *db_).reason(),
            "subject_not_granted");
  EXPECT_EQ(Send(s, EventBytes(EventKind::kKeyCreated, "svc/dbx"), *db_).reason(),
            "subject_not_granted");
  // The host's own key, admitted for VERIFICATION_RUN, cannot touch svc/db/.
  EXPECT_EQ(Send(s, EventBytes(EventKind::kVerificationRun, "svc/db/main"), *host_).reason(),
            "subject_not_granted");
  EXPECT_TRUE(
      Send(s, EventBytes(EventKind::kVerificationRun, "verification/ledgerd"), *host_).ok());
}

TEST_F(SequencerGrantsTest, OnlyTheLogKeyWritesTheNotarysRecords) {
  Policy everything = Grants();
  everything.submitters[0].subjects = {""};  // every subject but the notary's
  Sequencer s = Start(everything);
  const uint64_t size = s.head().size();
  // A submitter's boot or policy look-alike, or any kind on a notary subject.
  EXPECT_EQ(Send(s, EventBytes(EventKind::kEnclaveBooted, "notary/" + std::string(kOrigin)), *db_)
                .reason(),
            "reserved_for_notary");
  EXPECT_EQ(Send(s, EventBytes(EventKind::kPolicyChanged, "policy/org-1"), *db_).reason(),
            "reserved_for_notary");
  EXPECT_EQ(Send(s, EventBytes(EventKind::kKeyCreated, "notary-policy/x"), *db_).reason(),
            "reserved_for_notary");
  EXPECT_EQ(Send(s, EventBytes(EventKind::kKeyCreated, "notaryish/x"), *db_).reason(),
            "reserved_for_notary");
  // Unstamped, whatever the policy says about stamps.
  SubmitterPolicy open;
  open.require_stamps = false;
  Sequencer trusting =
      Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), std::move(open), Now)
          .value();
  EXPECT_EQ(
      Send(trusting, EventBytes(EventKind::kPolicyChanged, "notary-policy/x"), Bytes{}).reason(),
      "reserved_for_notary");
  EXPECT_TRUE(Send(trusting, EventBytes(EventKind::kKeyCreated, "key/k-1"), Bytes{}).ok());
  // The log key writes them, and nothing else.
  EXPECT_EQ(s.head().size(), size);
  EXPECT_TRUE(
      Send(s, EventBytes(EventKind::kEnclaveBooted, "notary/" + std::string(kOrigin)), *log_).ok());
  EXPECT_EQ(Send(s, EventBytes(EventKind::kKeyCreated, "key/db-1", 2), *log_).reason(),
            "unauthorized_kind");
}

TEST_F(SequencerGrantsTest, AnEmptyNotarizedPolicyAdmitsNoUnstampedEvent) {
  Sequencer s = Start(Policy{1, {}});
  EXPECT_EQ(Send(s, EventBytes(EventKind::kRecordDisposed, "record/r-1"), Bytes{}).reason(),
            "missing_stamp");
  EXPECT_EQ(Send(s, EventBytes(EventKind::kEnclaveBooted, "notary/x"), Bytes{}).reason(),
            "reserved_for_notary");
  EXPECT_EQ(Send(s, EventBytes(EventKind::kKeyCreated, "key/db-1"), *db_).reason(),
            "unknown_submitter");
  EXPECT_EQ(s.head().size(), 0u);
}

TEST(OwnershipTest, NotaryRecordsGrantsAndCompareAndSwap) {
  EXPECT_TRUE(IsNotaryKind(EventKind::kEnclaveBooted));
  EXPECT_TRUE(IsNotaryKind(EventKind::kPolicyChanged));
  EXPECT_FALSE(IsNotaryKind(EventKind::kStateNotarized));
  EXPECT_TRUE(IsNotarySubject("notary/log"));
  EXPECT_TRUE(IsNotarySubject("notary-policy/log"));
  EXPECT_FALSE(IsNotarySubject("svc/notary"));
  const std::vector<std::string> prefixes = {"", "svc/db/"};
  EXPECT_TRUE(SubjectGranted(prefixes, "anything"));
  EXPECT_FALSE(SubjectGranted(prefixes, "notary/log"));
  const std::vector<std::string> db = {"svc/db/"};
  EXPECT_TRUE(SubjectGranted(db, "svc/db/main"));
  EXPECT_FALSE(SubjectGranted(db, "svc/db"));
  EXPECT_FALSE(SubjectGranted({}, "svc/db/main"));
  Event e;
  e.kind = EventKind::kKeyCreated;
  e.subject = "key/k";
  EXPECT_FALSE(IsCompareAndSwap(e));
  e.new_state_hash = Sha256::Digest("a");
  EXPECT_TRUE(IsCompareAndSwap(e));
  e.kind = EventKind::kEnclaveBooted;
  EXPECT_FALSE(IsCompareAndSwap(e));
  e.kind = EventKind::kStateNotarized;
  e.new_state_hash.reset();
  EXPECT_TRUE(IsCompareAndSwap(e));
}

}  // namespace
}  // namespace ledger
