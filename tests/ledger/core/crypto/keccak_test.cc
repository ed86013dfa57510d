// Keccak-256 (the original padding, as Ethereum uses) against the Keccak
// team's known answers.
#include "ledger/crypto/keccak.h"

#include <gtest/gtest.h>

namespace ledger {
namespace {

TEST(Keccak256, KnownAnswers) {
  // Keccak-256("") and Keccak-256("abc") (Keccak team's KAT, the values
  // Ethereum tooling prints for keccak256 of empty and "abc").
  EXPECT_EQ(Keccak256::Digest("").Hex(),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(Keccak256::Digest("abc").Hex(),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

}  // namespace
}  // namespace ledger
