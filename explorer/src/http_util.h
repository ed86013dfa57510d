// HTTP plumbing shared by the explorer's routes: errors with stable codes,
// strong ETags with If-None-Match (RFC 9110 §8.8.3, §13.1.2), cache headers
// and gzip of entry bundles (tlog-tiles: bundles SHOULD be compressed).
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/base/status.h"
#include "ledger/codec/error_json.h"
#include "ledger/publish/tile_files.h"

namespace explorer {

// Cache policies (explorer/README.md "Caching").
// The tile files' policy is the publisher's (ledger/publish/tile_files.h).
inline constexpr const char* kCacheImmutable = ledger::publish::kCacheImmutable;
inline constexpr const char* kCachePartialTile = ledger::publish::kCachePartialTile;
inline constexpr const char* kCacheCheckpoint = ledger::publish::kCacheCheckpoint;
inline constexpr char kCacheApi[] = "no-cache";  // revalidate with the ETag

// Errors as ledger::codec::ErrorJson with its HttpStatusFor: 500 for
// corruption (the store does not match its signed checkpoint).
using ledger::codec::ErrorJson;
using ledger::codec::HttpStatusFor;
void ReplyError(httplib::Response& res, const ledger::Status& s);

// Sets the body with a strong ETag (SHA-256 of the body); a matching
// If-None-Match turns the answer into 304 Not Modified without a body.
void ReplyBody(const httplib::Request& req, httplib::Response& res, std::string body,
               std::string_view content_type, std::string_view cache_control);
void ReplyJson(const httplib::Request& req, httplib::Response& res, const nlohmann::json& body);

// Whether the client accepts gzip (Accept-Encoding), and gzip itself.
bool AcceptsGzip(const httplib::Request& req);
std::string Gzip(std::string_view data);

}  // namespace explorer
