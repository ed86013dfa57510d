#include "ledger/http_reply/http_reply.h"

#include <gtest/gtest.h>

namespace ledger::http_reply {
namespace {

TEST(HttpReplyTest, JsonBodyIsCompactApplicationJson) {
  httplib::Response res;
  ReplyJson(res, 201, {{"b", 2}, {"a", "x"}});
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, "{\"a\":\"x\",\"b\":2}");
  EXPECT_EQ(res.get_header_value("Content-Type"), "application/json");
}

TEST(HttpReplyTest, InvalidUtf8IsReplacedNotThrown) {
  httplib::Response res;
  EXPECT_NO_THROW(ReplyJson(res, 200, {{"s", std::string("caf\xc3")}}));
  EXPECT_TRUE(nlohmann::json::accept(res.body)) << res.body;
}

TEST(HttpReplyTest, ErrorsHaveTheOneErrorShape) {
  httplib::Response res;
  ReplyError(res, Status::InvalidArgument("bad_leaf", "leaf too large"));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body,
            "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"leaf too large\","
            "\"reason\":\"bad_leaf\"}}");
  EXPECT_EQ(res.get_header_value("Content-Type"), "application/json");
  EXPECT_FALSE(res.has_header("Retry-After"));
}

TEST(HttpReplyTest, UnavailableSaysRetryAfterAndAStatusCanBeForced) {
  httplib::Response res;
  ReplyError(res, Status::Unavailable("notary_down", "no answer"));
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.get_header_value("Retry-After"), "1");
  httplib::Response forced;
  ReplyError(forced, Status::NotFound("no_entry", "none"), 410);
  EXPECT_EQ(forced.status, 410);
}

}  // namespace
}  // namespace ledger::http_reply
