// The core's registry statement (the code the notary signs with) against the
// spec vector (schemas/formats/registry-statement.md §5, produced with cast).
// Keccak-256's known answers: tests/ledger/core/crypto/keccak_test.cc.
#include "ledger/trust/registry_statement.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include "ledger_test_paths.h"

namespace ledger::registry {
namespace {

Bytes Unhex(const nlohmann::json& v) {
  std::string s = v.get<std::string>();
  if (s.rfind("0x", 0) == 0) s = s.substr(2);
  return *HexDecode(s);
}
Hash H(const nlohmann::json& v) { return *Hash::FromBytes(Unhex(v)); }

class RegistryStatementVector : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(LEDGER_TEST_VECTORS) + "/formats/registry-statement-example.json");
    ASSERT_TRUE(in.good());
    v_ = nlohmann::json::parse(in);
    s_ = {LogIdForOrigin(v_["origin"].get<std::string>()), v_["tree_size"].get<uint64_t>(),
          H(v_["root_hash"]), H(v_["map_root"])};
    chain_ = v_["chain_id"].get<uint64_t>();
    Bytes c = Unhex(v_["verifying_contract"]);
    ASSERT_EQ(c.size(), kEthAddressSize);
    std::copy(c.begin(), c.end(), contract_.begin());
    key_ = Unhex(v_["notary_secret_key"]);
  }
  nlohmann::json v_;
  Statement s_;
  uint64_t chain_ = 0;
  EthAddress contract_{};
  Bytes key_;
};

TEST_F(RegistryStatementVector, DigestAndSignatureMatchTheSpec) {
  EXPECT_EQ(s_.log_id, H(v_["log_id"]));
  EXPECT_EQ(Eip712DomainSeparator(kDomainName, kDomainVersion, WordFromU64(chain_), contract_),
            H(v_["domain_separator"]));
  EXPECT_EQ(StatementStructHash(s_), H(v_["struct_hash"]));
  EXPECT_EQ(StatementDigest(chain_, contract_, s_), H(v_["digest"]));
  auto sig = SignStatement(key_, chain_, contract_, s_);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ("0x" + HexEncode(*sig), v_["signature_rsv"]);
  auto signer = RecoverStatementSigner(chain_, contract_, s_, *sig);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ("0x" + HexEncode(*signer), v_["notary_address"]);
}

TEST_F(RegistryStatementVector, AnotherHeadChainOrContractRecoversAnotherSigner) {
  auto sig = *SignStatement(key_, chain_, contract_, s_);
  EthAddress notary = *RecoverStatementSigner(chain_, contract_, s_, sig);
  Statement bigger = s_;
  bigger.tree_size += 1;
  EXPECT_NE(*RecoverStatementSigner(chain_, contract_, bigger, sig), notary);
  Statement no_map = s_;
  no_map.map_root = Hash{};
  EXPECT_NE(*RecoverStatementSigner(chain_, contract_, no_map, sig), notary);
  EXPECT_NE(*RecoverStatementSigner(chain_ + 1, contract_, s_, sig), notary);
  EthAddress other = contract_;
  other[19] ^= 1;
  EXPECT_NE(*RecoverStatementSigner(chain_, other, s_, sig), notary);
}

TEST_F(RegistryStatementVector, MalformedAndHighSSignaturesAreRefused) {
  auto sig = *SignStatement(key_, chain_, contract_, s_);
  auto bad_v = sig;
  bad_v[64] = 29;
  EXPECT_EQ(RecoverStatementSigner(chain_, contract_, s_, bad_v).status().reason(),
            "bad_signature");
  EXPECT_EQ(RecoverStatementSigner(chain_, contract_, s_, ByteView(sig.data(), 64))
                .status()
                .reason(),
            "bad_signature");
  // (r, n - s) with the other parity is the same point's second signature
  // (EIP-2): refused as high_s, never silently accepted.
  static constexpr uint8_t kOrder[32] = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
      0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  auto high = sig;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[i] - sig[32 + i] - borrow;
    borrow = d < 0;
    high[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  high[64] = sig[64] == 27 ? 28 : 27;
  EXPECT_EQ(RecoverStatementSigner(chain_, contract_, s_, high).status().reason(), "high_s");
  EXPECT_EQ(SignStatement(Bytes(32, 0), chain_, contract_, s_).status().reason(),
            "bad_secret_key");
}

}  // namespace
}  // namespace ledger::registry
