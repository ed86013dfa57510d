// The witnesses' time against the notary's clock and recorded_at
// (witness_time.h).
#include "ledger/note/witness_time.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace ledger {
namespace {

constexpr uint64_t kMicrosPerSecond = 1'000'000;

std::string Seconds(uint64_t s) { return std::to_string(s) + " s"; }

}  // namespace

std::optional<uint64_t> QuorumTime(std::span<const Cosignature> cosignatures, size_t quorum) {
  const size_t k = std::max<size_t>(quorum, 1);
  std::vector<uint64_t> times;
  for (const Cosignature& c : cosignatures) {
    if (c.timestamp != 0) times.push_back(c.timestamp);
  }
  if (times.size() < k) return std::nullopt;
  // The K-th latest: fewer than K liars cannot push it past an honest time.
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(k - 1), times.end(),
                   std::greater<>());
  return times[k - 1];
}

Status CheckClockAgainstWitnesses(uint64_t now_us, uint64_t witness_time_s) {
  const uint64_t now_s = now_us / kMicrosPerSecond;
  // witness_time_s <= 2^63-1 (tlog-cosignature), so neither sum overflows.
  if (now_s > witness_time_s + kMaxClockSkewSeconds) {
    return Status::FailedPrecondition(
        "clock_skew", "the notary clock (" + Seconds(now_s) + ") is more than " +
                          Seconds(kMaxClockSkewSeconds) +
                          " after the witnesses' latest quorum time (" + Seconds(witness_time_s) +
                          "): moved forward, or no freshly cosigned checkpoint");
  }
  if (now_s + kMaxClockSkewSeconds < witness_time_s) {
    return Status::FailedPrecondition(
        "clock_skew", "the notary clock (" + Seconds(now_s) + ") is more than " +
                          Seconds(kMaxClockSkewSeconds) +
                          " before the witnesses' quorum time (" + Seconds(witness_time_s) +
                          "): moved backward");
  }
  return Status::Ok();
}

Status CheckRecordedAt(uint64_t recorded_at_us, std::span<const Cosignature> cosignatures,
                       size_t quorum) {
  std::optional<uint64_t> t = QuorumTime(cosignatures, quorum);
  if (!t) return Status::Ok();
  // Beyond this, latest_us would not fit in 64 bits: every recorded_at passes.
  if (*t > UINT64_MAX / kMicrosPerSecond - kMaxClockSkewSeconds) return Status::Ok();
  const uint64_t latest_us = (*t + kMaxClockSkewSeconds) * kMicrosPerSecond;
  if (recorded_at_us > latest_us) {
    return Status::VerificationFailed(
        "recorded_after_cosignature",
        "recorded_at " + std::to_string(recorded_at_us) + " us is more than " +
            Seconds(kMaxClockSkewSeconds) + " after the witnesses' quorum time " +
            Seconds(*t) + ": the notary's clock was ahead of the witnesses'");
  }
  return Status::Ok();
}

}  // namespace ledger
