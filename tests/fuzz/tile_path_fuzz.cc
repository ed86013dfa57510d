// Fuzzes what the explorer parses from request URLs: tlog-tiles paths
// (tiles::ParseTilePath, the whole /tile/... path after the slash) and the
// decimal query parameters (ParseDecimalU64). Both are strict inverses of a
// formatter, so whatever parses must format back to the input byte for byte
// (two spellings of one tile would give two cache keys for one resource).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/merkle/tiles.h"
#include "ledger/note/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto path = ledger::tiles::ParseTilePath(input);
  if (path.ok()) {
    const auto& id = path->id;
    if (id.width == 0 || id.width > ledger::tiles::kWidth) std::abort();
    if (id.level > ledger::tiles::kMaxLevel) std::abort();
    std::string again = path->entries ? ledger::tiles::EntriesPath(id.index, id.width)
                                      : ledger::tiles::TilePath(id);
    if (again != input) std::abort();
  }
  auto n = ledger::ParseDecimalU64(input);
  if (n.ok() && std::to_string(*n) != input) std::abort();
  return 0;
}
