// Shamir secret sharing (Shamir 1979) over GF(2^8), byte-wise, compatible
// with Debian's libgfshare: the field is GF(2)[x] / (x^8 + x^4 + x^3 + x^2 + 1)
// (0x11d), share x-coordinates are 1..n, and share y-bytes are the values at x
// of one random polynomial per secret byte whose constant term is that byte.
// Shares made here combine in libgfshare and vice versa (tested).
//
// Hand-written rather than linked: the core library, which the notary enclave
// links, takes no dependency beyond OpenSSL and libsecp256k1. Field arithmetic
// is constant-time (no tables indexed by secret bytes), and every temporary
// coefficient is cleansed.
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger::shamir {

inline constexpr size_t kMaxShares = 255;

// One share: the x-coordinate (1..255) and one y-byte per secret byte.
// Shares are secrets: Cleanse() them when done.
struct Share {
  uint8_t x = 0;
  Bytes y;
  void Cleanse();
};

// Fills its argument with uniformly random bytes. The default is RAND_bytes.
using RandomSource = std::function<Status(std::span<uint8_t>)>;

// Splits secret into n shares, any k of which recover it.
// InvalidArgument("bad_threshold") unless 1 < k <= n <= 255;
// InvalidArgument("empty_secret") for an empty secret;
// Internal("random_failed") if the random source fails.
Result<std::vector<Share>> Split(ByteView secret, size_t k, size_t n,
                                 const RandomSource& random = nullptr);

// Lagrange interpolation at 0 over all the given shares (give exactly k, or
// more: extra shares of the same polynomial do not change the result).
// InvalidArgument("bad_share") for no shares, x = 0, a duplicate x, or
// y-lengths that differ or are empty. Shares of different polynomials, or
// fewer than k of them, yield a wrong secret: callers check the result
// against a public commitment (see quorum.h).
Result<Bytes> Combine(std::span<const Share> shares);

// GF(2^8) multiplication, exposed for tests. Constant-time.
uint8_t GfMul(uint8_t a, uint8_t b);
// Multiplicative inverse (a^254); GfInv(0) == 0. Constant-time.
uint8_t GfInv(uint8_t a);

}  // namespace ledger::shamir
