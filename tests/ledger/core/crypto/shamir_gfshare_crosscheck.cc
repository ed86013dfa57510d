// Cross-checks ledger::shamir against Debian's libgfshare: shares made by
// either combine in the other, for many random secrets and (k, n). Linked only
// into this test binary: the core itself never depends on libgfshare.
#include <gtest/gtest.h>
#include <openssl/rand.h>

extern "C" {
#include <libgfshare.h>
}

#include <random>

#include "ledger/crypto/shamir.h"

namespace ledger::shamir {
namespace {

void OpenSslFill(unsigned char* buf, unsigned int n) {
  LEDGER_CHECK(RAND_bytes(buf, static_cast<int>(n)) == 1);
}

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  LEDGER_CHECK(RAND_bytes(b.data(), static_cast<int>(n)) == 1);
  return b;
}

struct Ctx {
  gfshare_ctx* p;
  ~Ctx() { gfshare_ctx_free(p); }
};

// A random k-subset of indices 0..n-1.
std::vector<size_t> Pick(size_t n, size_t k, std::mt19937& rng) {
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  idx.resize(k);
  return idx;
}

class GfshareCrossCheck : public ::testing::Test {
 protected:
  void SetUp() override { gfshare_fill_rand = OpenSslFill; }
  std::mt19937 rng_{20240611};
  size_t RandIn(size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng_);
  }
};

TEST_F(GfshareCrossCheck, OurSharesCombineInLibgfshare) {
  for (int round = 0; round < 300; ++round) {
    const size_t n = RandIn(2, round < 280 ? 12 : 255), k = RandIn(2, n);
    const Bytes secret = RandomBytes(RandIn(1, 64));
    auto shares = Split(secret, k, n).value();
    auto chosen = Pick(n, k, rng_);
    std::vector<unsigned char> nrs;
    for (size_t i : chosen) nrs.push_back(shares[i].x);
    Ctx dec{gfshare_ctx_init_dec(nrs.data(), static_cast<unsigned>(k),
                                 static_cast<unsigned>(secret.size()))};
    ASSERT_NE(dec.p, nullptr);
    for (size_t j = 0; j < k; ++j) {
      gfshare_ctx_dec_giveshare(dec.p, static_cast<unsigned char>(j), shares[chosen[j]].y.data());
    }
    Bytes out(secret.size());
    gfshare_ctx_dec_extract(dec.p, out.data());
    ASSERT_EQ(out, secret) << "k=" << k << " n=" << n;
  }
}

TEST_F(GfshareCrossCheck, LibgfshareSharesCombineHere) {
  for (int round = 0; round < 300; ++round) {
    const size_t n = RandIn(2, round < 280 ? 12 : 255), k = RandIn(2, n);
    Bytes secret = RandomBytes(RandIn(1, 64));
    // x-coordinates 1..n, as ledger::shamir numbers its shares.
    std::vector<unsigned char> nrs(n);
    for (size_t i = 0; i < n; ++i) nrs[i] = static_cast<unsigned char>(i + 1);
    Ctx enc{gfshare_ctx_init_enc(nrs.data(), static_cast<unsigned>(n),
                                 static_cast<unsigned char>(k),
                                 static_cast<unsigned>(secret.size()))};
    ASSERT_NE(enc.p, nullptr);
    gfshare_ctx_enc_setsecret(enc.p, secret.data());
    std::vector<Share> shares(n);
    for (size_t i = 0; i < n; ++i) {
      shares[i].x = nrs[i];
      shares[i].y.resize(secret.size());
      // libgfshare takes the index into sharenrs, not the x-coordinate.
      gfshare_ctx_enc_getshare(enc.p, static_cast<unsigned char>(i), shares[i].y.data());
    }
    std::vector<Share> subset;
    for (size_t i : Pick(n, k, rng_)) subset.push_back(shares[i]);
    ASSERT_EQ(Combine(subset).value(), secret) << "k=" << k << " n=" << n;
  }
}

}  // namespace
}  // namespace ledger::shamir
