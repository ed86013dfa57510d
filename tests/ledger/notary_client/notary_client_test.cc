// The client's strict handling of notary responses (the round trip against
// the real notary is tests/notary-enclave/process_test.cc).
#include <gtest/gtest.h>

#include "ledger/notary_client/notary_client.h"

namespace ledger::notary_client {
namespace {

TEST(NotaryClientTest, ErrorsKeepCodeAndReason) {
  pb::Error e;
  e.set_code("failed_precondition");
  e.set_reason("not_serving");
  e.set_message("m");
  Status s = StatusFromError(e);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "not_serving");
  e.set_code("no_such_code");
  EXPECT_EQ(StatusFromError(e).code(), Code::kInternal);
}

TEST(NotaryClientTest, SequencedMustCloseTheBatch) {
  pb::Sequenced s;
  s.set_first_index(0);
  s.add_leaves("leaf");
  s.set_checkpoint_note("example.com/log\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
                        "\xe2\x80\x94 example.com/log AAAAAAAA\n");
  auto r = FromProto(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "unexpected_response");
  s.set_checkpoint_note("not a note");
  EXPECT_FALSE(FromProto(s).ok());
}

TEST(NotaryClientTest, ConnectFailsCleanly) {
  auto c = NotaryClient::Connect("/nonexistent/notary.sock");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().reason(), "connect_failed");
}

}  // namespace
}  // namespace ledger::notary_client
