// Keccak-f[1600] and the sponge, from the Keccak reference specification
// (keccak.team, "The Keccak reference" v3.0, §1-2; identical to FIPS 202 §3.2
// theta, rho, pi, chi, iota) with the original multi-rate padding 0x01..0x80.
#include "ledger/crypto/keccak.h"

#include <cstring>

namespace ledger {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// rho offsets and pi destinations along the lane walk (x, y) -> (y, 2x + 3y).
constexpr int kRho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                          27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

inline uint64_t Rotl(uint64_t v, int n) { return (v << n) | (v >> (64 - n)); }

void KeccakF1600(std::array<uint64_t, 25>& a) {
  for (uint64_t rc : kRoundConstants) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    uint64_t t = a[1];
    for (int i = 0; i < 24; ++i) {
      uint64_t next = a[kPi[i]];
      a[kPi[i]] = Rotl(t, kRho[i]);
      t = next;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; ++x) row[x] = a[y + x];
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    a[0] ^= rc;
  }
}

}  // namespace

void Keccak256::Absorb() {
  // Lanes are little-endian 64-bit words (Keccak reference §1.1).
  for (size_t i = 0; i < kRate / 8; ++i) {
    uint64_t lane = 0;
    for (int b = 7; b >= 0; --b) lane = (lane << 8) | block_[i * 8 + static_cast<size_t>(b)];
    state_[i] ^= lane;
  }
  KeccakF1600(state_);
  fill_ = 0;
}

Keccak256& Keccak256::Update(ByteView data) {
  for (uint8_t byte : data) {
    block_[fill_++] = byte;
    if (fill_ == kRate) Absorb();
  }
  return *this;
}

Hash Keccak256::Final() {
  // pad10*1 with the Keccak domain bit 0x01 (FIPS 202 uses 0x06 here).
  std::memset(block_.data() + fill_, 0, kRate - fill_);
  block_[fill_] ^= 0x01;
  block_[kRate - 1] ^= 0x80;
  Absorb();
  Hash out;
  for (size_t i = 0; i < Hash::kSize; ++i) {
    out.bytes[i] = static_cast<uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  }
  return out;
}

Hash Keccak256::Digest(ByteView data) {
  Keccak256 k;
  k.Update(data);
  return k.Final();
}

}  // namespace ledger
