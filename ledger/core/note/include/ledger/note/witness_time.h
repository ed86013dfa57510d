// Time the host cannot move: the notary's clock, and every entry's
// recorded_at, bounded by the witnesses' cosignature times
// (schemas/formats/leaf.md §2, notary-enclave/README.md).
//
// Each witness cosigns a checkpoint at its own clock's time
// (cosignature/v1 "time <T>", c2sp.org/tlog-cosignature). The quorum time of
// a cosigned checkpoint is the K-th latest timestamp among the verified
// cosignatures of distinct witnesses, K being the witness quorum (1 when the
// quorum is 0). With fewer than K lying witnesses, one of the K latest is
// honest, so the quorum time is never after an honest witness's clock at the
// moment it cosigned; with at least K honest witnesses it is not before the
// earliest of their times either.
//
// Two rules use it, with one bound, kMaxClockSkewSeconds:
// - the notary sequences only while its clock is within the bound of the
//   latest quorum time it verified (CheckClockAgainstWitnesses): a clock moved
//   forward, or evidence gone stale, and a clock moved backward are refused;
// - a verifier refuses an entry whose recorded_at is after the quorum time of
//   a cosigned checkpoint that includes it, plus the bound (CheckRecordedAt):
//   an entry existed before any witness saw the checkpoint.
//
// Thread-safety: constants and free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "ledger/base/status.h"
#include "ledger/note/checkpoint.h"

namespace ledger {

// How far the notary's clock may be from the witnesses' quorum time, and an
// entry's recorded_at after it. It covers the skew between honest clocks,
// the cosignatures' one-second resolution and one witnessing round; it is
// far below the one-day granularity of retention rules (retention.md), so a
// clock moved within it cannot make a disposal early. A log whose notary
// goes longer than this without a freshly cosigned checkpoint stops
// sequencing (ledgerd re-witnesses an idle head well within it).
inline constexpr uint64_t kMaxClockSkewSeconds = 300;

// The K-th latest non-zero timestamp of `cosignatures` (K = max(quorum, 1)),
// in seconds since the epoch; nullopt when fewer than K carry a time
// (algorithms without a timestamp report 0). The caller has verified them and
// counted each witness once (VerifyCheckpoint).
std::optional<uint64_t> QuorumTime(std::span<const Cosignature> cosignatures, size_t quorum);

// The notary's rule: FailedPrecondition("clock_skew") when now_us is more
// than kMaxClockSkewSeconds after (a clock moved forward, or no fresh
// cosignature) or before (a clock moved back) witness_time_s.
Status CheckClockAgainstWitnesses(uint64_t now_us, uint64_t witness_time_s);

// A verifier's rule for an entry included under a cosigned checkpoint:
// VerificationFailed("recorded_after_cosignature") when recorded_at_us is
// after the QuorumTime of `cosignatures` plus kMaxClockSkewSeconds. OK when
// there is no quorum time (too few timed cosignatures: nothing to compare
// with; the witness-quorum check, not this one, decides whether that is
// enough). Call it after the checkpoint and its witness quorum verified.
Status CheckRecordedAt(uint64_t recorded_at_us, std::span<const Cosignature> cosignatures,
                       size_t quorum);

}  // namespace ledger
