// Every receipt and state answer names the measured code that sequenced it
// (receipt.md §4): its "notary" evidence chains app proof -> ephemeral key ->
// boot entry stamped by the log key -> attestation document -> pinned root
// and PCR0, and `ledgerctl verify inclusion|state --pcr0 HEX --root CERT`
// checks the whole chain offline. The attacker is the host serving answers:
// it swaps in another boot's entry, pins nothing, drops the evidence, or
// points the app proof at another batch; each is refused.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ledgerd_fixture.h"

namespace ledger::ledgerd::testing {
namespace {

class LedgerdCodePinTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    d_ = new Deployment;
    d_->dir_prefix = "ledgerd-code-pin";
    d_->Create();
  }
  static void TearDownTestSuite() {
    if (d_) d_->Destroy();
    delete d_;
    d_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(HasFatalFailure());
    port_ = d_->StartLedgerd(ledgerd_);
    ASSERT_GT(port_, 0) << Slurp(d_->P("ledgerd.log"));
  }
  void TearDown() override { ledgerd_.reset(); }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  // The receipts of `n` new entries "<tag>0"...
  nlohmann::json Append(const std::string& tag, int n) {
    auto r = Client().Post("/v1/entries", d_->StampedBatch(tag, n).dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    if (!r || r->status != 200) return {};
    const nlohmann::json body = nlohmann::json::parse(r->body);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& result : body["results"]) out.push_back(result["receipt"]);
    return out;
  }
  nlohmann::json Get(const std::string& path) {
    auto r = Client().Get(path);
    EXPECT_TRUE(r && r->status == 200) << path << ": " << (r ? r->body : "no answer");
    return r && r->status == 200 ? nlohmann::json::parse(r->body) : nlohmann::json();
  }
  std::string Write(const std::string& name, const nlohmann::json& j) {
    const std::string path = d_->P(name);
    std::ofstream(path) << j.dump(2) << "\n";
    return path;
  }
  static std::string Pcr0() { return Sha384Hex(Slurp(NOTARY_ENCLAVE_BIN)); }
  // `verify inclusion` (or verify-state) with the manifest's witness policy
  // (no witnesses) and the dev PKI's root.
  CtlResult Verify(const std::string& file, std::vector<std::string> extra = {},
                   bool state = false) {
    std::vector<std::string> args =
        state ? std::vector<std::string>{"verify-state"}
              : std::vector<std::string>{"verify", "inclusion"};
    args.insert(args.end(), {"--vkey", d_->vkey, "--manifest", d_->P("manifest.bin")});
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return Ctl(args);
  }
  std::vector<std::string> Pins() const {
    return {"--root", d_->P("pki/root.pem"), "--pcr0", Pcr0()};
  }
  static void ExpectRefused(const CtlResult& r, const std::string& reason) {
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_NE((r.out + r.err).find(reason), std::string::npos) << r.out << r.err;
  }

  static Deployment* d_;
  std::unique_ptr<Process> ledgerd_;
  int port_ = 0;
};

Deployment* LedgerdCodePinTest::d_ = nullptr;

TEST_F(LedgerdCodePinTest, AReceiptAndAStateAnswerNameTheirCodeAndVerifyWithPins) {
  nlohmann::json receipts = Append("pin-a", 3);
  ASSERT_EQ(receipts.size(), 3u);
  const nlohmann::json& r = receipts[1];
  ASSERT_TRUE(r.contains("notary")) << r.dump();
  EXPECT_EQ(r["notary"]["pcr0"], Pcr0());
  EXPECT_LE(r["notary"]["boot"]["index"].get<uint64_t>(),
            r["notary"]["batch"]["first_index"].get<uint64_t>());
  const std::string file = Write("receipt-a1.json", r);

  auto ok = Verify(file, Pins());
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("sequenced by the notary booted at entry"), std::string::npos) << ok.out;
  // The PCR0 from the pinned manifest when --pcr0 is not given.
  auto from_manifest = Verify(file, {"--root", d_->P("pki/root.pem")});
  EXPECT_EQ(from_manifest.code, 0) << from_manifest.err;
  // The receipt GET serves later carries the same evidence.
  const uint64_t index = r["index"].get<uint64_t>();
  nlohmann::json later = Get("/v1/entries/" + std::to_string(index) + "/receipt");
  ASSERT_TRUE(later.contains("notary")) << later.dump();
  EXPECT_EQ(Verify(Write("receipt-a1-later.json", later), Pins()).code, 0);

  nlohmann::json state = Get("/v1/state/key/pin-a1");
  ASSERT_TRUE(state.contains("notary")) << state.dump();
  auto state_ok = Verify(Write("state-a1.json", state), Pins(), /*state=*/true);
  EXPECT_EQ(state_ok.code, 0) << state_ok.err;
  // An absent subject: the notary that sequenced the checkpoint's last entry.
  nlohmann::json absent = Get("/v1/state/key/never-written");
  ASSERT_TRUE(absent.contains("notary")) << absent.dump();
  EXPECT_EQ(Verify(Write("state-absent.json", absent), Pins(), true).code, 0);
}

TEST_F(LedgerdCodePinTest, AnotherPcr0OrATamperedDocumentIsRefused) {
  nlohmann::json r = Append("pin-b", 1)[0];
  // Code the verifier does not run: the document states another PCR0.
  const std::string other = Sha384Hex("another enclave image");
  ExpectRefused(Verify(Write("receipt-b.json", r), {"--root", d_->P("pki/root.pem"), "--pcr0", other}),
                "pcr_mismatch");
  // Another document in place of the boot entry's payload.
  nlohmann::json doc = r;
  std::string att = doc["notary"]["boot"]["attestation"];
  att[10] = att[10] == 'A' ? 'B' : 'A';
  doc["notary"]["boot"]["attestation"] = att;
  ExpectRefused(Verify(Write("receipt-b-doc.json", doc), Pins()), "attestation_mismatch");
  // Another root: a self-made PKI signs any PCR0 it likes.
  ASSERT_EQ(Ctl({"dev-pki", "--out", d_->P("other-pki")}).code, 0);
  ExpectRefused(Verify(Write("receipt-b-root.json", r),
                       {"--root", d_->P("other-pki/root.pem"), "--pcr0", Pcr0()}),
                "untrusted_root");
}

TEST_F(LedgerdCodePinTest, MissingOrMisdirectedEvidenceIsRefusedWhenTheCodeIsPinned) {
  nlohmann::json receipts = Append("pin-c", 2);
  nlohmann::json r = receipts[0];
  // No evidence at all: fine without pins, refused with them.
  nlohmann::json bare = r;
  bare.erase("notary");
  const std::string bare_file = Write("receipt-c-bare.json", bare);
  EXPECT_EQ(Verify(bare_file).code, 0);
  ExpectRefused(Verify(bare_file, Pins()), "notary_evidence_missing");
  // The C2SP text alone carries none either.
  {
    std::ofstream(d_->P("receipt-c.tlog-proof")) << r["tlog_proof"].get<std::string>();
  }
  ExpectRefused(Verify(d_->P("receipt-c.tlog-proof"), Pins()), "notary_evidence_missing");
  // The app proof of another batch.
  nlohmann::json older = Append("pin-c-next", 1)[0];
  nlohmann::json moved = r;
  moved["notary"]["batch"] = older["notary"]["batch"];
  moved["notary"]["app_proof"] = older["notary"]["app_proof"];
  ExpectRefused(Verify(Write("receipt-c-moved.json", moved), Pins()), "app_proof_wrong_batch");
  // A batch range stretched to cover the entry: the app proof no longer
  // matches what the notary signed.
  nlohmann::json stretched = r;
  const uint64_t first = stretched["notary"]["batch"]["first_index"].get<uint64_t>();
  ASSERT_GT(first, 0u);
  stretched["notary"]["batch"]["first_index"] = first - 1;
  stretched["notary"]["batch"]["count"] =
      stretched["notary"]["batch"]["count"].get<uint64_t>() + 1;
  ExpectRefused(Verify(Write("receipt-c-stretched.json", stretched), Pins()), "app_proof_mismatch");
  // --pcr0 without the root it chains to.
  ExpectRefused(Verify(Write("receipt-c.json", r), {"--pcr0", Pcr0()}), "attestation_root_missing");
  // Malformed evidence is an error, not a skipped check.
  nlohmann::json malformed = r;
  malformed["notary"]["boot"].erase("leaf");
  ExpectRefused(Verify(Write("receipt-c-malformed.json", malformed)), "malformed_notary_evidence");
}

TEST_F(LedgerdCodePinTest, AnAnswerFromOneBootWithAnotherBootsEntryIsRefused) {
  nlohmann::json first = Append("pin-d", 1)[0];
  const uint64_t first_boot = first["notary"]["boot"]["index"].get<uint64_t>();
  const nlohmann::json first_attestation = first["notary"]["boot"]["attestation"];
  // A new boot of the same code: a new ephemeral key, a new boot entry.
  ledgerd_.reset();
  d_->notary.reset();
  d_->StartNotary();
  ASSERT_FALSE(HasFatalFailure());
  port_ = d_->StartLedgerd(ledgerd_);
  ASSERT_GT(port_, 0) << Slurp(d_->P("ledgerd.log"));
  nlohmann::json second = Append("pin-d-next", 1)[0];
  const uint64_t second_boot = second["notary"]["boot"]["index"].get<uint64_t>();
  ASSERT_GT(second_boot, first_boot);
  EXPECT_NE(second["notary"]["app_proof"]["public_key"], first["notary"]["app_proof"]["public_key"]);
  EXPECT_EQ(Verify(Write("receipt-d2.json", second), Pins()).code, 0);

  // The second boot's answer presented as the first boot's work: the first
  // boot entry, with an inclusion proof valid at the receipt's size.
  nlohmann::json boot1 =
      Get("/v1/entries/" + std::to_string(first_boot) + "/receipt");
  ASSERT_EQ(boot1["tree_size"], second["tree_size"]) << "no entry between the two reads";
  nlohmann::json swapped = second;
  swapped["notary"]["boot"] = {{"index", first_boot},
                               {"leaf", boot1["leaf"]},
                               {"inclusion_proof", boot1["inclusion_proof"]},
                               {"attestation", first_attestation}};
  ExpectRefused(Verify(Write("receipt-d2-swapped.json", swapped), Pins()), "app_proof_other_boot");
  // A boot entry claimed at an index where it is not.
  nlohmann::json misplaced = second;
  misplaced["notary"]["boot"]["index"] = first_boot;
  ExpectRefused(Verify(Write("receipt-d2-misplaced.json", misplaced), Pins()),
                "boot_entry_not_in_answer");
  // The same swap in a state answer.
  nlohmann::json state = Get("/v1/state/key/pin-d-next0");
  ASSERT_TRUE(state.contains("notary")) << state.dump();
  EXPECT_EQ(Verify(Write("state-d2.json", state), Pins(), true).code, 0);
  state["notary"]["boot"] = swapped["notary"]["boot"];
  ExpectRefused(Verify(Write("state-d2-swapped.json", state), Pins(), true),
                "app_proof_other_boot");
}

}  // namespace
}  // namespace ledger::ledgerd::testing
