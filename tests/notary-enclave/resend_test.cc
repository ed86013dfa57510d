// The re-sent request slot (notary-enclave/src/resend.cc): a host killed
// after the notary answered and before it wrote the answer sends the same
// request again and gets the same answer; nothing new is signed, and no other
// request is answered from the slot.
#include <gtest/gtest.h>

#include "enclave_fixture.h"

namespace notary::testing {
namespace {

class ResendTest : public EnclaveFixture {
 protected:
  static pb::HostRequest Wrap(const pb::Append& append) {
    pb::HostRequest r;
    *r.mutable_append() = append;
    return r;
  }
  static pb::HostRequest Wrap(const pb::Restore& restore) {
    pb::HostRequest r;
    *r.mutable_restore() = restore;
    return r;
  }
  static std::string Reason(const pb::NotaryResponse& r) {
    return r.has_error() ? r.error().reason() : "answered";
  }
};

TEST_F(ResendTest, TheSameAppendReSentGetsTheIdenticalAnswer) {
  auto e = Serving();
  const pb::HostRequest request = Wrap(AppendRequest(Stamped(0, 5)));
  const pb::NotaryResponse first = e->Handle(request);
  ASSERT_TRUE(first.has_sequenced()) << Reason(first);
  const uint64_t size = e->GetStatus().size();
  // The host died before writing it: the same bytes again, twice.
  for (int i = 0; i < 2; ++i) {
    const pb::NotaryResponse again = e->Handle(request);
    ASSERT_TRUE(again.has_sequenced()) << Reason(again);
    EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
    EXPECT_EQ(e->GetStatus().size(), size);  // nothing new sequenced
    EXPECT_EQ(e->GetStatus().checkpoint_note(), first.sequenced().checkpoint_note());
  }
  // The host writes it and goes on from the notary's head.
  host_.Add(first.sequenced());
  const pb::NotaryResponse next = e->Handle(Wrap(AppendRequest(Stamped(5, 3))));
  ASSERT_TRUE(next.has_sequenced()) << Reason(next);
  EXPECT_EQ(next.sequenced().first_index(), size);
}

TEST_F(ResendTest, ADifferentBatchAtTheOldHeadIsRefused) {
  auto e = Serving();
  const pb::HostRequest request = Wrap(AppendRequest(Stamped(0, 5)));
  const pb::NotaryResponse first = e->Handle(request);
  ASSERT_TRUE(first.has_sequenced()) << Reason(first);
  // Other events, one event fewer, one stamp byte changed: each would be a
  // second checkpoint at the old size.
  EXPECT_EQ(Reason(e->Handle(Wrap(AppendRequest(Stamped(100, 5))))), "head_mismatch");
  EXPECT_EQ(Reason(e->Handle(Wrap(AppendRequest(Stamped(0, 4))))), "head_mismatch");
  pb::HostRequest altered = request;
  std::string* stamp = altered.mutable_append()->mutable_events(2)->mutable_stamp();
  (*stamp)[stamp->size() - 1] ^= 0x01;
  EXPECT_EQ(Reason(e->Handle(altered)), "head_mismatch");
  // The same request arriving through Append (no slot) is a stale head too.
  EXPECT_REFUSED(e->Append(request.append()), "head_mismatch");
  // Refusals leave the slot as it was.
  EXPECT_EQ(e->Handle(request).SerializeAsString(), first.SerializeAsString());
}

TEST_F(ResendTest, AReSendAfterANewerBatchIsRefused) {
  auto e = Serving();
  const pb::HostRequest request = Wrap(AppendRequest(Stamped(0, 5)));
  const pb::NotaryResponse first = e->Handle(request);
  ASSERT_TRUE(first.has_sequenced()) << Reason(first);
  host_.Add(first.sequenced());
  // A newer batch through Append directly (not through the slot) moves the
  // head as well: the old answer is no longer the head.
  auto second = e->Append(AppendRequest(Stamped(5, 2)));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Reason(e->Handle(request)), "head_mismatch");
  host_.Add(*second);
  const pb::HostRequest third = Wrap(AppendRequest(Stamped(7, 2)));
  ASSERT_TRUE(e->Handle(third).has_sequenced());
  EXPECT_EQ(Reason(e->Handle(request)), "head_mismatch");
}

TEST_F(ResendTest, ARefusedRequestIsNotRemembered) {
  auto e = Serving();
  pb::HostRequest request = Wrap(AppendRequest(Stamped(0, 2)));
  std::string* stamp = request.mutable_append()->mutable_events(1)->mutable_stamp();
  (*stamp)[stamp->size() - 1] ^= 0x01;
  const pb::NotaryResponse refused = e->Handle(request);
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(e->Handle(request).error().reason(), refused.error().reason());
  EXPECT_EQ(e->GetStatus().size(), 1u);
}

// The ENCLAVE_BOOTED entry a Restore appends is a batch like any other: a
// host killed before writing it shows the same head again and gets it again,
// once; after the next batch that Restore is a rollback, as before.
TEST_F(ResendTest, TheSameRestoreReSentGetsTheSameBootEntry) {
  std::string vkey;
  {
    auto first = Serving();
    auto r = first->Append(AppendRequest(Stamped(0, 3)));
    ASSERT_TRUE(r.ok()) << r.status();
    host_.Add(*r);
  }
  auto e = Boot();
  Provision(*e);
  const pb::HostRequest restore = Wrap(host_.Head());
  const pb::NotaryResponse booted = e->Handle(restore);
  ASSERT_TRUE(booted.has_restored() && booted.restored().has_boot_entry()) << Reason(booted);
  const pb::NotaryResponse again = e->Handle(restore);
  EXPECT_EQ(again.SerializeAsString(), booted.SerializeAsString());
  EXPECT_EQ(e->GetStatus().size(), host_.size() + 1);
  host_.Add(booted.restored().boot_entry());
  // The reconnect with the written head: nothing to append.
  const pb::NotaryResponse reconnect = e->Handle(Wrap(host_.Head()));
  ASSERT_TRUE(reconnect.has_restored()) << Reason(reconnect);
  EXPECT_FALSE(reconnect.restored().has_boot_entry());
  const pb::NotaryResponse next = e->Handle(Wrap(AppendRequest(Stamped(3, 1))));
  ASSERT_TRUE(next.has_sequenced()) << Reason(next);
  EXPECT_EQ(Reason(e->Handle(restore)), "rollback");
}

}  // namespace
}  // namespace notary::testing
