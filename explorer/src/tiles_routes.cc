// C2SP tlog-tiles (c2sp.org/tlog-tiles, schemas/formats/tiles.md): the
// checkpoint, hash tiles and entry bundles, byte for byte as LogStore
// verified them against the signed checkpoint: the same files, bytes and
// cache policy as ledgerctl publish-tiles writes (ledger/publish/tile_files.h).
#include "context.h"
#include "http_util.h"
#include "tamper.h"
#include "ledger/merkle/tiles.h"
#include "ledger/publish/tile_files.h"

namespace explorer {
namespace {

using ledger::Status;
namespace tiles = ledger::tiles;

void ServeTile(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  // The whole path is parsed by the strict inverse of the path encoding:
  // "/tile/../", leading zeros, huge N, bad W are all bad_tile_path.
  auto parsed = tiles::ParseTilePath(std::string_view(req.path).substr(1));
  if (!parsed.ok()) return ReplyError(res, parsed.status());
  auto store = ctx.Store();
  if (!store.ok()) return ReplyError(res, store.status());
  const ledger::publish::TileFile file{parsed->entries, parsed->id};
  auto data = ledger::publish::ReadTileFile(**store, file);
  if (!data.ok()) return ReplyError(res, data.status());
  std::string body(data->begin(), data->end());
  if (!parsed->entries) TamperTile(ctx.options().tamper, body);
  const char* cache = ledger::publish::CacheControlFor(file);
  if (parsed->entries && AcceptsGzip(req)) {
    std::string gz = Gzip(body);
    if (!gz.empty() && gz.size() < body.size()) {
      res.set_header("Content-Encoding", "gzip");
      body = std::move(gz);
    }
  }
  res.set_header("Vary", "Accept-Encoding");
  ReplyBody(req, res, std::move(body), "application/octet-stream", cache);
}

}  // namespace

void AddTileRoutes(httplib::Server& http, Context& ctx) {
  http.Get("/checkpoint", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto store = ctx.Store();
    if (!store.ok()) return ReplyError(res, store.status());
    std::string note = (*store)->latest().note;
    if (note.empty()) {
      // A log whose first checkpoint has not been signed yet.
      return ReplyError(res, Status::NotFound("no_checkpoint", "the log has no checkpoint yet"));
    }
    TamperCheckpoint(ctx.options().tamper, note);
    ReplyBody(req, res, std::move(note), "text/plain; charset=utf-8", kCacheCheckpoint);
  });
  http.Get(R"(/tile/.*)", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ServeTile(ctx, req, res);
  });
}

}  // namespace explorer
