#include "http_util.h"

#include <zlib.h>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/http_reply/http_reply.h"

namespace explorer {

using ledger::Code;
using ledger::Status;

void ReplyError(httplib::Response& res, const Status& s) {
  ledger::http_reply::ReplyError(res, s);
  res.set_header("Cache-Control", "no-store");
}

namespace {

// If-None-Match: "*" or a list of entity tags; weak comparison (RFC 9110
// §13.1.2), so W/"x" matches "x".
bool MatchesEtag(const std::string& header, const std::string& etag) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string_view tag(header.data() + pos, comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

void ReplyBody(const httplib::Request& req, httplib::Response& res, std::string body,
               std::string_view content_type, std::string_view cache_control) {
  auto digest = ledger::Sha256::Digest(ledger::AsBytes(body));
  std::string etag = "\"" + ledger::HexEncode(digest.view().first(16)) + "\"";
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", std::string(cache_control));
  if (req.has_header("If-None-Match") && MatchesEtag(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::move(body), std::string(content_type));
}

void ReplyJson(const httplib::Request& req, httplib::Response& res, const nlohmann::json& body) {
  ReplyBody(req, res, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            "application/json", kCacheApi);
}

bool AcceptsGzip(const httplib::Request& req) {
  return req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper (RFC 1952) rather than zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

}  // namespace explorer
