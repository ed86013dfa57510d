// entries.witness_time (export-bundle.md §8): no entry of the bundle is
// dated after the witnesses cosigned a checkpoint that includes it
// (ledger/note/witness_time.h). A notary whose clock was moved forward writes
// recorded_at values that the witnesses' own clocks contradict.
#include <utility>
#include <vector>

#include "ledger/note/witness_time.h"
#include "verify_internal.h"

namespace ledger::bundle::internal {

void CheckWitnessTime(Context& c) {
  const char* name = "entries.witness_time";
  size_t compared = 0;
  // The bundle's checkpoints and the receipt's (the quorum-cosigned one
  // ledgerd waits for).
  std::vector<std::pair<uint64_t, const VerifiedCheckpoint*>> cosigned;
  for (const auto& [size, vc] : c.checkpoints) cosigned.emplace_back(size, &vc);
  if (c.receipt_checkpoint) {
    cosigned.emplace_back(c.receipt_checkpoint->checkpoint.size, &*c.receipt_checkpoint);
  }
  for (const auto& [size, checkpoint] : cosigned) {
    const VerifiedCheckpoint& vc = *checkpoint;
    if (!QuorumTime(vc.cosignatures, c.witness_quorum)) continue;
    ++compared;
    // The latest-dated entry the checkpoint includes, evidence entries too.
    const EntryLine* latest = nullptr;
    for (const auto* lines : {&c.entries, &c.evidence}) {
      for (const EntryLine& e : *lines) {
        if (e.index < size &&
            (!latest || e.decoded.recorded_at_us > latest->decoded.recorded_at_us)) {
          latest = &e;
        }
      }
    }
    if (!latest) continue;
    Status s = CheckRecordedAt(latest->decoded.recorded_at_us, vc.cosignatures, c.witness_quorum);
    if (!s.ok()) {
      return c.Fail(name, "entry " + std::to_string(latest->index) +
                              " under the checkpoint of size " + std::to_string(size) + ": " +
                              s.message());
    }
  }
  if (compared == 0) return c.Skip(name, "no checkpoint verified with witness cosignatures");
  c.Pass(name, "no entry is dated more than " + std::to_string(kMaxClockSkewSeconds) +
                   " s after the witnesses cosigned its checkpoint (" + std::to_string(compared) +
                   " cosigned checkpoints)");
}

}  // namespace ledger::bundle::internal
