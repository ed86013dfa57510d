// AuditNotaryRecords (notary_records.h), the check `verify store` and
// ledgerd's self-verification run: boot and policy entries, and entries about
// the notary's subjects, count only with the log key's stamp.
#include "ledger/store/notary_records.h"

#include <gtest/gtest.h>

#include "ledger/record/stamp.h"
#include "ledger/store/kv.h"
#include "unchecked_append.h"

namespace ledger::store {
namespace {

using testing::kOrigin;

Bytes Record(EventKind kind, const std::string& subject, const std::string& id) {
  Event e;
  e.kind = kind;
  e.event_id = id;
  e.occurred_at_us = 1'700'000'000'000'000ull;
  e.actor.id = "notary-enclave";
  e.subject = subject;
  return EncodeEvent(e).value();
}

class NotaryRecordsAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Sequencer seq = testing::NewSequencer();
    store_ = LogStore::Create(std::make_unique<MemoryKv>(), seq.head().checkpoint_note,
                              testing::LogVerifier())
                 .value();
    auto b = seq.Sequence(0, seq.head().range.Root(), testing::MakeBatch(0, 5));
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_TRUE(store_->Append(*b).ok());
  }
  Status Add(const Bytes& event, const note::Signer& by) {
    return testing::AppendUnchecked(*store_, {event, MakeStamp(kOrigin, event, by).value()})
        .status();
  }

  std::unique_ptr<LogStore> store_;
  std::unique_ptr<note::Signer> log_key_ = note::NewEd25519Signer(kOrigin, testing::LogKey());
  std::unique_ptr<note::Signer> submitter_ =
      note::NewEd25519Signer("kms.frontend", Ed25519PrivateKey::Generate().value());
};

TEST_F(NotaryRecordsAuditTest, RecordsStampedByTheLogKeyPass) {
  ASSERT_TRUE(
      Add(Record(EventKind::kEnclaveBooted, "notary/" + std::string(kOrigin), "b"), *log_key_)
          .ok());
  EXPECT_TRUE(AuditNotaryRecords(*store_).ok());
}

TEST_F(NotaryRecordsAuditTest, ALookAlikeBySubmitterIsFound) {
  ASSERT_TRUE(Add(Record(EventKind::kPolicyChanged, "policy/org-1", "p"), *submitter_).ok());
  Status s = AuditNotaryRecords(*store_);
  EXPECT_EQ(s.reason(), "forged_notary_record");
  EXPECT_NE(s.message().find("entry 5"), std::string::npos) << s;
}

TEST_F(NotaryRecordsAuditTest, AnyKindOnTheNotarysSubjectIsFound) {
  ASSERT_TRUE(
      Add(Record(EventKind::kKeyCreated, "notary-policy/" + std::string(kOrigin), "k"), *submitter_)
          .ok());
  EXPECT_EQ(AuditNotaryRecords(*store_).reason(), "forged_notary_record");
}

}  // namespace
}  // namespace ledger::store
