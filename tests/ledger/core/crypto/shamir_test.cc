// Shamir secret sharing over GF(2^8): field arithmetic exhaustively, every
// k-subset of small splits, and the refusals. The cross-check against
// libgfshare is in shamir_gfshare_crosscheck.cc (its own binary).
#include "ledger/crypto/shamir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

namespace ledger::shamir {
namespace {

std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }

// Reference multiplication by repeated doubling mod 0x11d, written differently
// from GfMul (which is masked and branch-free).
uint8_t SlowMul(uint8_t a, uint8_t b) {
  uint8_t r = 0;
  while (b != 0) {
    if (b & 1) r ^= a;
    a = static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1d : 0));
    b >>= 1;
  }
  return r;
}

TEST(ShamirTest, FieldIsLibgfsharesField) {
  // 2 * 0x80 = x^8 = x^4 + x^3 + x^2 + 1 = 0x1d under 0x11d (0x1b in the AES field).
  EXPECT_EQ(GfMul(0x80, 0x02), 0x1d);
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      ASSERT_EQ(GfMul(static_cast<uint8_t>(a), static_cast<uint8_t>(b)),
                SlowMul(static_cast<uint8_t>(a), static_cast<uint8_t>(b)));
    }
  }
}

TEST(ShamirTest, EveryNonZeroElementHasItsInverse) {
  EXPECT_EQ(GfInv(0), 0);
  for (int a = 1; a < 256; ++a) {
    EXPECT_EQ(GfMul(static_cast<uint8_t>(a), GfInv(static_cast<uint8_t>(a))), 1) << a;
  }
}

// Calls f with every k-subset of shares.
void ForEachSubset(const std::vector<Share>& all, size_t k,
                   const std::function<void(const std::vector<Share>&)>& f) {
  std::vector<bool> pick(all.size(), false);
  std::fill(pick.begin(), pick.begin() + static_cast<long>(k), true);
  do {
    std::vector<Share> subset;
    for (size_t i = 0; i < all.size(); ++i) {
      if (pick[i]) subset.push_back(all[i]);
    }
    f(subset);
  } while (std::prev_permutation(pick.begin(), pick.end()));
}

TEST(ShamirTest, EveryKSubsetRecoversTheSecretForSmallSplits) {
  const Bytes secret = ToBytes("the quorum key is 32 bytes long!");
  for (size_t n = 2; n <= 6; ++n) {
    for (size_t k = 2; k <= n; ++k) {
      auto shares = Split(secret, k, n);
      ASSERT_TRUE(shares.ok()) << shares.status();
      ASSERT_EQ(shares->size(), n);
      for (size_t i = 0; i < n; ++i) EXPECT_EQ((*shares)[i].x, i + 1);
      ForEachSubset(*shares, k, [&](const std::vector<Share>& subset) {
        EXPECT_EQ(Combine(subset).value(), secret) << "k=" << k << " n=" << n;
      });
      // All n shares also recover it (a degree k-1 polynomial through n points).
      EXPECT_EQ(Combine(*shares).value(), secret);
    }
  }
}

TEST(ShamirTest, FewerThanKSharesDoNotRecoverTheSecret) {
  // With the coefficients fixed to 0x01, P(x) = s + x + x^2 for k = 3; two
  // shares interpolate a line, whose value at 0 is not s.
  auto ones = [](std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), uint8_t{1});
    return Status::Ok();
  };
  const Bytes secret = {0x42};
  auto shares = Split(secret, 3, 5, ones).value();
  std::vector<Share> two(shares.begin(), shares.begin() + 2);
  EXPECT_NE(Combine(two).value(), secret);
  std::vector<Share> three(shares.begin(), shares.begin() + 3);
  EXPECT_EQ(Combine(three).value(), secret);
}

TEST(ShamirTest, ZeroCoefficientsMakeEveryShareTheSecret) {
  auto zeros = [](std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    return Status::Ok();
  };
  const Bytes secret = {1, 2, 3};
  const auto shares = Split(secret, 2, 3, zeros).value();
  for (const Share& s : shares) EXPECT_EQ(s.y, secret);
}

TEST(ShamirTest, RefusesBadParameters) {
  const Bytes secret = {1};
  EXPECT_EQ(Reason(Split(secret, 1, 3).status()), "bad_threshold");
  EXPECT_EQ(Reason(Split(secret, 4, 3).status()), "bad_threshold");
  EXPECT_EQ(Reason(Split(secret, 2, 256).status()), "bad_threshold");
  EXPECT_EQ(Reason(Split({}, 2, 3).status()), "empty_secret");
  EXPECT_TRUE(Split(secret, 255, 255).ok());
  auto failing = [](std::span<uint8_t>) { return Status::Internal("x", "no entropy"); };
  EXPECT_EQ(Reason(Split(secret, 2, 3, failing).status()), "random_failed");
}

TEST(ShamirTest, CombineRefusesZeroDuplicateAndMismatchedShares) {
  auto shares = Split(ToBytes("secret"), 2, 3).value();
  EXPECT_EQ(Reason(Combine({}).status()), "bad_share");
  std::vector<Share> dup = {shares[0], shares[0]};
  EXPECT_EQ(Reason(Combine(dup).status()), "bad_share");
  std::vector<Share> zero = {shares[0], shares[1]};
  zero[1].x = 0;
  EXPECT_EQ(Reason(Combine(zero).status()), "bad_share");
  std::vector<Share> lengths = {shares[0], shares[1]};
  lengths[1].y.pop_back();
  EXPECT_EQ(Reason(Combine(lengths).status()), "bad_share");
  std::vector<Share> empty = {Share{1, {}}, Share{2, {}}};
  EXPECT_EQ(Reason(Combine(empty).status()), "bad_share");
}

TEST(ShamirTest, CleanseWipesTheShare) {
  Share s{7, {1, 2, 3}};
  s.Cleanse();
  EXPECT_EQ(s.x, 0);
  EXPECT_TRUE(s.y.empty());
}

}  // namespace
}  // namespace ledger::shamir
