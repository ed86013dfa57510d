// Helpers shared by the signed-note, checkpoint, cosignature and tlog-proof
// tests: vector loading and deterministic keys.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/base/bytes.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"
#include "ledger_test_paths.h"

namespace ledger::testing {

// Reads tests/vectors/<relative> as JSON; fails the test if absent.
inline nlohmann::json LoadVectorJson(const std::string& relative) {
  std::ifstream in(std::string(LEDGER_TEST_VECTORS) + "/" + relative);
  EXPECT_TRUE(in.good()) << "missing vector file " << relative;
  return nlohmann::json::parse(in);
}

// A deterministic Ed25519 key: a 32-byte seed filled with `fill`.
inline Ed25519PrivateKey TestKey(uint8_t fill) {
  return Ed25519PrivateKey::FromSeed(Bytes(Ed25519PrivateKey::kSeedSize, fill)).value();
}

inline Ed25519PrivateKey KeyFromSeedHex(const std::string& hex) {
  return Ed25519PrivateKey::FromSeed(HexDecode(hex).value()).value();
}

inline std::unique_ptr<note::Verifier> VerifierFromVkey(const std::string& vkey) {
  auto v = note::ParseVerifierKey(vkey);
  EXPECT_TRUE(v.ok()) << v.status();
  return std::move(v).value();
}

}  // namespace ledger::testing
