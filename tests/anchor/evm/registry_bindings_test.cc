// The registry statement against its spec vector
// (schemas/formats/registry-statement.md §5, produced with cast), and the
// bindings' call encodings and revert reasons.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "evm/abi.h"
#include "evm/keccak.h"
#include "evm/registry.h"
#include "evm/signing.h"
#include "ledger_test_paths.h"

namespace anchor::evm {
namespace {

Hash H(const nlohmann::json& v) { return *Hash::FromBytes(*FromHex0x(v.get<std::string>())); }

TEST(RegistryStatement, MatchesTheSpecVector) {
  std::ifstream in(std::string(LEDGER_TEST_VECTORS) + "/formats/registry-statement-example.json");
  ASSERT_TRUE(in.good());
  auto v = nlohmann::json::parse(in);
  registry::Statement s{registry::LogIdForOrigin(v["origin"].get<std::string>()),
                        v["tree_size"].get<uint64_t>(), H(v["root_hash"]), H(v["map_root"])};
  EXPECT_EQ(s.log_id, H(v["log_id"]));
  registry::Domain d{v["chain_id"].get<uint64_t>(),
                     *Address::FromHex(v["verifying_contract"].get<std::string>())};
  EXPECT_EQ(Eip712DomainSeparator(registry::kDomainName, registry::kDomainVersion,
                                  U256::FromU64(d.chain_id), d.contract),
            H(v["domain_separator"]));
  EXPECT_EQ(registry::StatementStructHash(s), H(v["struct_hash"]));
  Hash digest = registry::StatementDigest(d, s);
  EXPECT_EQ(digest, H(v["digest"]));
  Bytes key = *FromHex0x(v["notary_secret_key"].get<std::string>());
  EXPECT_EQ(AddressFromSecretKey(key)->Hex(), v["notary_address"]);
  auto sig = SignDigest(key, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Hex0x(sig->Rsv()), v["signature_rsv"]);
  // Any field changed, another digest.
  registry::Statement other = s;
  other.map_root = Hash{};
  EXPECT_NE(registry::StatementDigest(d, other), digest);
  registry::Domain other_chain = d;
  other_chain.chain_id = 1;
  EXPECT_NE(registry::StatementDigest(other_chain, s), digest);
}

// registry-statement.md §6, produced with cast.
TEST(RegistryStatement, RekeyMatchesTheSpecVector) {
  registry::Domain d{31337, *Address::FromHex("0x5FbDB2315678afecb367f032d93F642f64180aa3")};
  Bytes new_key = *FromHex0x(Hex0x(Keccak256::Digest("new notary").view()));
  Address new_notary = *AddressFromSecretKey(new_key);
  EXPECT_EQ(new_notary.Hex(), "0xb51242ff242ed3d8fbe7ec8dea04aa8472c39d34");
  registry::RekeyStatement r{registry::LogIdForOrigin("example.com/log"), new_notary.bytes, 0};
  Hash digest = registry::RekeyDigest(d, r);
  EXPECT_EQ(digest.Hex(), "c0919005757127b878039774f4fafb95029dc5ee653f75277404529c625216fe");
  Bytes notary = *FromHex0x(Hex0x(Keccak256::Digest("notary").view()));
  auto sig = ledger::registry::SignRekey(notary, d.chain_id, d.contract.bytes, r);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Hex0x(*sig),
            "0xb3ea38a628c046c98937a69247e3a95e3958e0e2567567c93129970e706f4765"
            "2637a1ce0413102da79f40f6231d642e3b386292553c90bfab4d8eb5b0a96e881b");
  registry::RekeyStatement next = r;
  next.nonce = 1;  // the next hand-over: another digest
  EXPECT_NE(registry::RekeyDigest(d, next), digest);
}

TEST(RegistryBindings, RevertReasonsAndLatest) {
  Bytes wrong_signer = abi::Encoder().AddAddress({}).AddAddress({}).Finish(
      abi::SelectorOf("WrongSigner(address,address)"));
  EXPECT_EQ(registry::RevertReason(wrong_signer), "registry_wrong_signer");
  EXPECT_EQ(registry::RevertReason(Bytes{1, 2, 3, 4}), "registry_reverted");
  EXPECT_EQ(registry::RevertReason({}), "registry_reverted");
  Hash root;
  root.bytes[0] = 7;
  Bytes latest = abi::Encoder().AddAddress({}).AddUint(42).AddBytes32(root).Finish();
  auto head = registry::DecodeLatest(latest);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->tree_size, 42u);
  EXPECT_EQ(head->root_hash, root);
  latest.push_back(0);
  EXPECT_EQ(registry::DecodeLatest(latest).status().reason(), "bad_abi");
  EXPECT_FALSE(registry::CreationCode().empty());
  EXPECT_FALSE(registry::RuntimeCode().empty());
}

}  // namespace
}  // namespace anchor::evm
