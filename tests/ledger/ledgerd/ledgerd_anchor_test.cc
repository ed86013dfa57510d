// POST /v1/anchor/statement with real processes: the notary's registry
// statement signature for ledgerd's current head, checked here as anchord
// and the contract check it (schemas/formats/registry-statement.md): the
// checkpoint verifies with the pinned log key, the signature recovers to the
// registry key the notary reported at provisioning, and the consistency
// proof from an earlier size verifies. Only anchord may ask
// (--anchor-tokens): anyone else, an exporter included, gets 401, and
// ledgerd does not start with a registry but no token file.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/trust/registry_statement.h"
#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

constexpr uint64_t kChainId = 31337;
constexpr char kContract[] = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
constexpr char kAnchorToken[] = "anchord-token-of-the-test";
constexpr char kExportToken[] = "auditor-token-of-the-test";

class LedgerdAnchorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deployment_.dir_prefix = "ledgerd-anchor-test";
    deployment_.manifest_extra = {"--chain-id", std::to_string(kChainId), "--registry", kContract};
    deployment_.anchor_token = kAnchorToken;
    deployment_.host_kinds = "EXPORT_CREATED";  // for the export token of one test
    deployment_.Create();
    ASSERT_FALSE(HasFatalFailure());
    port_ = deployment_.StartLedgerd(ledgerd_, deployment_.AnchorFlags());
    ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
  }

  // Starts ledgerd with `flags` and expects it to refuse: its exit status,
  // and `reason` in what it logged.
  void ExpectRefused(std::vector<std::string> flags, int status, const std::string& reason) {
    std::vector<std::string> argv = {LEDGERD_BIN, "--data", deployment_.P("log"), "--listen",
                                     "127.0.0.1:0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string log = deployment_.P("refused-" + std::to_string(++refusals_) + ".log");
    Process p(argv, log);
    EXPECT_EQ(p.Wait(), status) << Slurp(log);
    EXPECT_NE(Slurp(log).find(reason), std::string::npos) << Slurp(log);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(deployment_.P(name), std::ios::binary) << text;
    return deployment_.P(name);
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

  // POST /v1/anchor/statement with `authorization` (anchord's by default).
  nlohmann::json Statement(const std::string& body, int want_status = 200,
                           std::optional<std::string> authorization = std::nullopt) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    httplib::Headers headers;
    const std::string auth = authorization.value_or(Basic("anchord", kAnchorToken));
    if (!auth.empty()) headers.emplace("Authorization", auth);
    auto r = c.Post("/v1/anchor/statement", headers, body, "application/json");
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
  static std::string Basic(const std::string& name, const std::string& token) {
    return "Basic " + Base64Encode(AsBytes(name + ":" + token));
  }

  Deployment deployment_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
  int refusals_ = 0;
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

// Anyone but anchord: 401 unauthenticated with a Basic challenge, before the
// body is even read, and the notary signs nothing for them.
TEST_F(LedgerdAnchorTest, CallersWithoutAnchordsTokenAre401) {
  Append("anchor-d", 1);
  for (const std::string& auth :
       {std::string(), Basic("anchord", "not-the-token"), Basic("anchord", ""),
        Basic("someone", kAnchorToken), "Bearer " + std::string(kAnchorToken),
        "Basic " + std::string(kAnchorToken), std::string("Basic !!!not base64"),
        "Basic " + Base64Encode(AsBytes(std::string("anchord") + kAnchorToken))}) {
    for (const char* body : {"{}", "{", R"({"from":1})"}) {
      nlohmann::json j = Statement(body, 401, auth);
      EXPECT_EQ(j["error"]["reason"], "unauthenticated") << auth << " " << j.dump();
      EXPECT_FALSE(j.contains("signature"));
    }
  }
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Post("/v1/anchor/statement", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"),
            "Basic realm=\"ledgerd anchor\", charset=\"UTF-8\"");
  // anchord's own token still works.
  EXPECT_TRUE(Statement("{}").contains("signature"));
}

// A token is one right: an exporter's token, valid for /v1/export, is not
// accepted for registry statements, and anchord's is not accepted for
// exports; one token in both files is refused at start.
TEST_F(LedgerdAnchorTest, AnExportTokenIsNotAnAnchorToken) {
  ledgerd_.reset();
  const std::string export_tokens =
      Write("export-tokens", "auditor:" + Sha256::Digest(kExportToken).Hex() + "\n");
  std::vector<std::string> flags = deployment_.AnchorFlags();
  flags.insert(flags.end(),
               {"--host-key", deployment_.P("host.key"), "--export-tokens", export_tokens});
  port_ = deployment_.StartLedgerd(ledgerd_, flags);
  ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
  Append("anchor-e", 1);

  EXPECT_EQ(Statement("{}", 401, Basic("auditor", kExportToken))["error"]["reason"],
            "unauthenticated");
  EXPECT_EQ(Statement("{}", 401, Basic("anchord", kExportToken))["error"]["reason"],
            "unauthenticated");
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30, 0);
  c.set_basic_auth("anchord", kAnchorToken);
  auto anchord_export = c.Get("/v1/export?request_id=req-none-such");
  ASSERT_TRUE(anchord_export);
  EXPECT_EQ(anchord_export->status, 401) << anchord_export->body;
  c.set_basic_auth("auditor", kExportToken);
  auto auditor_export = c.Get("/v1/export?request_id=req-none-such");
  ASSERT_TRUE(auditor_export);
  EXPECT_EQ(auditor_export->status, 200) << auditor_export->body;
  EXPECT_TRUE(Statement("{}").contains("signature"));

  ledgerd_.reset();
  const std::string shared =
      Write("export-tokens-shared", "auditor:" + Sha256::Digest(kExportToken).Hex() +
                                        "\nsomeone:" + Sha256::Digest(kAnchorToken).Hex() + "\n");
  flags.back() = shared;
  ExpectRefused(flags, 2, "shared_token");
}

// The manifest names a registry: without a usable token file ledgerd does
// not start (exit 2, a stable reason); the file is untrusted input.
TEST_F(LedgerdAnchorTest, RefusesToStartWithoutAUsableTokenFile) {
  ledgerd_.reset();
  ExpectRefused({}, 2, "anchor_tokens_required");
  const std::string digest = Sha256::Digest(kAnchorToken).Hex();
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"empty", ""},
           {"blank", "\n\n"},
           {"plaintext", std::string("anchord:") + kAnchorToken + "\n"},
           {"bare-token", std::string(kAnchorToken) + "\n"},
           {"bad-hex", "anchord:" + digest.substr(0, 63) + "g\n"},
           {"short", "anchord:" + digest.substr(0, 62) + "\n"},
           {"no-name", ":" + digest + "\n"},
           {"control", "anc\x01hord:" + digest + "\n"},
           {"repeated", "anchord:" + digest + "\nanchord:" + digest + "\n"}}) {
    SCOPED_TRACE(name);
    ExpectRefused({"--anchor-tokens", Write("tokens-" + name, text)}, 2, "bad_token_file");
  }
  ExpectRefused({"--anchor-tokens", deployment_.P("no-such-file")}, 4, "no_such_file");
  // The same through the config file.
  ExpectRefused({"--config", Write("ledgerd.json", R"({"anchor_tokens": ""})")}, 2,
                "--anchor-tokens");
  const std::string config =
      Write("ledgerd-ok.json", R"({"anchor_tokens": ")" + deployment_.P("anchor-tokens") + "\"}");
  port_ = deployment_.StartLedgerd(ledgerd_, {"--config", config});
  ASSERT_GT(port_, 0) << Slurp(deployment_.P("ledgerd.log"));
  EXPECT_TRUE(Statement("{}").contains("signature"));
}

// A log whose manifest names no registry cannot anchor: tokens for it are a
// deployment mistake, refused; without them the route is closed.
TEST(LedgerdAnchorOffTest, NoRegistryNoRoute) {
  Deployment d;
  d.dir_prefix = "ledgerd-anchor-off-test";
  d.anchor_token = kAnchorToken;
  d.Create();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  {
    Process refused({LEDGERD_BIN, "--data", d.P("log"), "--listen", "127.0.0.1:0",
                     "--anchor-tokens", d.P("anchor-tokens")},
                    d.P("ledgerd-refused.log"));
    EXPECT_EQ(refused.Wait(), 2);
    EXPECT_NE(Slurp(d.P("ledgerd-refused.log")).find("the manifest names no registry"),
              std::string::npos);
  }
  std::unique_ptr<Process> ledgerd;
  const int port = d.StartLedgerd(ledgerd);
  ASSERT_GT(port, 0) << Slurp(d.P("ledgerd.log"));
  httplib::Client c("127.0.0.1", port);
  c.set_basic_auth("anchord", kAnchorToken);
  auto r = c.Post("/v1/anchor/statement", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["reason"], "anchor_not_configured");
  ledgerd.reset();
  d.Destroy();
}

}  // namespace
}  // namespace ledger::ledgerd::testing
