// POST /v1/anchor/statement with real processes: the notary's registry
// statement signature for ledgerd's current head, checked here as anchord
// and the contract check it (schemas/formats/registry-statement.md): the
// checkpoint verifies with the pinned log key, the signature recovers to the
// registry key the notary reported at provisioning, and the consistency
// proof from an earlier size verifies.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/registry_statement.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

constexpr uint64_t kChainId = 31337;
constexpr char kContract[] = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

class LedgerdAnchorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deployment_.dir_prefix = "ledgerd-anchor-test";
    deployment_.manifest_extra = {"--chain-id", std::to_string(kChainId), "--registry", kContract};
    deployment_.Create();
    ASSERT_FALSE(HasFatalFailure());
    port_ = deployment_.StartLedgerd(ledgerd_);
    ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
  }
  void TearDown() override {
    ledgerd_.reset();
    deployment_.Destroy();
  }

  void Append(const std::string& tag, int n) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    auto r = c.Post("/v1/entries", deployment_.StampedBatch(tag, n).dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  nlohmann::json Statement(const std::string& body, int want_status = 200) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    auto r = c.Post("/v1/anchor/statement", body, "application/json");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, want_status) << r->body;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  EthAddress RegistryAddress() const {
    auto j = nlohmann::json::parse(deployment_.provision_out, nullptr, false);
    auto pub = HexDecode(j.value("registry_public_key", ""));
    EXPECT_TRUE(pub.ok());
    auto a = EthAddressFromPublicKey(*pub);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : EthAddress{};
  }

  static Hash H(const nlohmann::json& v) { return *Hash::FromHex(v.get<std::string>()); }

  Deployment deployment_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
};

TEST_F(LedgerdAnchorTest, SignsTheCurrentHeadWithAConsistencyProof) {
  Append("anchor-a", 3);
  nlohmann::json first = Statement("{}");
  ASSERT_TRUE(first.is_object());
  const uint64_t size1 = first["size"].get<uint64_t>();
  const Hash root1 = H(first["root"]);
  EXPECT_EQ(first["chain_id"], kChainId);
  EXPECT_EQ(first["contract"], kContract);
  EXPECT_FALSE(first.contains("consistency_proof"));
  Append("anchor-b", 4);
  nlohmann::json second = Statement(nlohmann::json{{"from", size1}}.dump());
  ASSERT_TRUE(second.is_object());
  const uint64_t size2 = second["size"].get<uint64_t>();
  const Hash root2 = H(second["root"]);
  ASSERT_GT(size2, size1);

  // The checkpoint is the head's, signed by the pinned log key.
  auto vkey = note::ParseVerifierKey(deployment_.vkey);
  ASSERT_TRUE(vkey.ok());
  auto cp = VerifyCheckpoint(second["checkpoint"].get<std::string>(), **vkey);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->checkpoint.size, size2);
  EXPECT_EQ(cp->checkpoint.root, root2);

  // The signature is the notary registry key's, over exactly this head.
  auto contract = HexDecode(std::string(kContract).substr(2));
  ASSERT_TRUE(contract.ok());
  EthAddress c{};
  std::copy(contract->begin(), contract->end(), c.begin());
  registry::Statement s{registry::LogIdForOrigin(deployment_.origin), size2, root2,
                        H(second["map_root"])};
  auto sig = HexDecode(second["signature"].get<std::string>());
  ASSERT_TRUE(sig.ok());
  auto signer = registry::RecoverStatementSigner(kChainId, c, s, *sig);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(*signer, RegistryAddress());
  s.tree_size = size1;
  EXPECT_NE(*registry::RecoverStatementSigner(kChainId, c, s, *sig), RegistryAddress());

  // The consistency proof from the earlier head verifies (RFC 9162 §2.1.4.2).
  EXPECT_EQ(H(second["from_root"]), root1);
  std::vector<Hash> proof;
  for (const auto& h : second["consistency_proof"]) proof.push_back(H(h));
  EXPECT_FALSE(proof.empty());
  EXPECT_TRUE(merkle::VerifyConsistency(size1, size2, proof, root1, root2).ok());
}

TEST_F(LedgerdAnchorTest, BadBodiesAreRefusedWithStableReasons) {
  Append("anchor-c", 1);
  nlohmann::json head = Statement("");
  ASSERT_TRUE(head.is_object());
  const uint64_t size = head["size"].get<uint64_t>();
  EXPECT_EQ(Statement(nlohmann::json{{"from", size + 1}}.dump(), 400)["error"]["reason"], "bad_tree_size");
  EXPECT_EQ(Statement(R"({"from":-1})", 400)["error"]["reason"], "bad_tree_size");
  EXPECT_EQ(Statement(R"({"size":1})", 400)["error"]["reason"], "unknown_field");
  EXPECT_EQ(Statement("[1]", 400)["error"]["reason"], "bad_json");
  EXPECT_EQ(Statement("{", 400)["error"]["reason"], "bad_json");
  // From the empty tree: the proof is empty, the root is SHA-256("").
  nlohmann::json from0 = Statement(R"({"from":0})");
  EXPECT_EQ(H(from0["from_root"]), merkle::EmptyRoot());
  EXPECT_TRUE(from0["consistency_proof"].empty());
}

}  // namespace
}  // namespace ledger::ledgerd::testing
