#include "ledger/timestamp/tsa_client.h"

#include <httplib.h>

#include <string>

namespace ledger::timestamp {
namespace {

// A TimeStampResp is a few kilobytes; a TSA answering with more is not one.
constexpr size_t kMaxResponseBytes = 256 * 1024;

}  // namespace

Result<Timestamped> RequestTimestamp(std::string_view url, const Hash& digest,
                                     std::string_view ca_pem, std::chrono::milliseconds timeout) {
  // scheme://authority[/path]
  const std::string u(url);
  const auto scheme_end = u.find("://");
  if (scheme_end == std::string::npos) return Status::InvalidArgument("bad_tsa_url", "no scheme");
  const std::string scheme = u.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("bad_tsa_url", "scheme must be http or https");
  }
  const auto path_start = u.find('/', scheme_end + 3);
  const std::string base = u.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : u.substr(path_start);
  if (base.size() <= scheme_end + 3) return Status::InvalidArgument("bad_tsa_url", "no host");

  auto request = MakeRequest(digest);
  if (!request.ok()) return request.status();

  httplib::Client client(base);
  if (!client.is_valid()) return Status::InvalidArgument("bad_tsa_url", "unusable URL " + base);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  const std::string body(AsString(request->der));
  auto res = client.Post(path, body, "application/timestamp-query");
  if (!res) {
    return Status::Unavailable("tsa_unavailable",
                               "no answer from " + base + ": " + httplib::to_string(res.error()));
  }
  if (res->status != 200) {
    return Status::Unavailable("tsa_unavailable",
                               base + " answered HTTP " + std::to_string(res->status));
  }
  if (res->get_header_value("Content-Type") != "application/timestamp-reply") {
    return Status::InvalidArgument("timestamp_malformed",
                                   "the TSA's answer is not application/timestamp-reply");
  }
  if (res->body.size() > kMaxResponseBytes) {
    return Status::InvalidArgument("timestamp_malformed", "the TSA's answer is too large");
  }
  auto token = TokenFromResponse(AsBytes(res->body));
  if (!token.ok()) return token.status();
  auto info = VerifyToken(*token, digest, ca_pem, request->nonce);
  if (!info.ok()) return info.status();
  return Timestamped{std::move(*token), std::move(*info)};
}

}  // namespace ledger::timestamp
