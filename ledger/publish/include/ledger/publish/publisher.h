// Publishing a log as static C2SP tlog-tiles files (c2sp.org/tlog-tiles,
// schemas/formats/tiles.md): from a LogStore into an OutDir that any static
// web server or CDN serves (docs/operations.md, "Publishing tiles").
//
// What is published is the store's latest verified head: for a store opened
// with LogStoreOptions::witnesses, the latest checkpoint that carries the
// witness quorum, as the explorer serves. One run writes the tile files that
// checkpoint implies and the previously published one did not (NewTileFiles),
// each verified by the store, then the checkpoint, last: a reader who fetches
// `checkpoint` finds every file it implies already in place.
//
// Published files are immutable. A file already present with other bytes is
// never replaced (Corruption "published_tile_mismatch"); the same bytes are
// fine, so a run interrupted before its checkpoint is simply run again.
// The published checkpoint never goes back: a head smaller than it is refused
// (FailedPrecondition "published_checkpoint_rollback"), one that is not an
// extension of it too (Corruption "published_checkpoint_fork").
//
// Thread-safety: Publish may run concurrently with the store's writer (it
// reads one verified head); two publishers must not share an OutDir.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/publish/out_dir.h"
#include "ledger/store/log_store.h"

namespace ledger::publish {

struct PublishReport {
  uint64_t previous_size = 0;   // the checkpoint found in the directory (0: none)
  uint64_t size = 0;            // the checkpoint the directory now holds
  size_t files_written = 0;     // tile files and bundles written
  size_t files_present = 0;     // already there with the right bytes
  bool checkpoint_written = false;  // false when the directory was up to date
};

// Publishes `store`'s latest head into `out`. Errors (reasons are stable):
//   FailedPrecondition no_checkpoint        the store has no signed checkpoint yet
//   FailedPrecondition published_checkpoint_rollback
//                                           the directory holds a larger checkpoint
//   Corruption  published_checkpoint_fork   the directory's checkpoint of that size
//                                           has another root than the store's
//   VerificationFailed, InvalidArgument     the directory's checkpoint does not
//                                           verify with the log key, or parse
//   Corruption  published_tile_mismatch     a present tile file differs
//   the store's errors (Corruption for what does not verify), the OutDir's.
// On any error the directory's checkpoint is unchanged.
Result<PublishReport> Publish(const store::LogStore& store, OutDir& out);

}  // namespace ledger::publish
