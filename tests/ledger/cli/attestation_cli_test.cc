// ledgerctl verify-attestation and dev-pki, in-process: exit codes, the
// one-line reasons, --json, raw and base64 documents, PEM and DER roots.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/sign_attestation.h"
#include "ledger/cli/ledgerctl.h"
#include "ledger_test_paths.h"

namespace ledger::cli {
namespace {
namespace fs = std::filesystem;

const std::string kNitro = LEDGER_TEST_VECTORS "/nitro/";
const std::string kDoc = kNitro + "docs/signal_svr2_valid_bytes.cose";
const std::string kAt = "1684362463";

class AttestationCliTest : public testing::CliTest {
 protected:
  static Bytes Read(const std::string& path) { return ToBytes(testing::Slurp(path)); }
};

TEST_F(AttestationCliTest, GenuineDocumentRawAndBase64) {
  for (const std::string& root : {kNitro + "aws_nitro_enclaves_root_g1.pem",
                                 kNitro + "aws_nitro_enclaves_root_g1.der"}) {
    for (const std::string& doc : {kDoc, kDoc + ".b64"}) {
      auto r = Ctl({"verify-attestation", "--root", root, "--at", kAt, doc});
      EXPECT_EQ(r.code, kExitOk) << r.err;
      EXPECT_EQ(r.out.rfind("valid: i-09b153b9b6859a1de-enc01882b95cd0e8a90 at 1684362463", 0), 0u)
          << r.out;
    }
  }
  // Default time: the document's own timestamp.
  EXPECT_EQ(Ctl({"verify-attestation", "--root", kNitro + "aws_nitro_enclaves_root_g1.pem", kDoc}).code,
            kExitOk);
}

TEST_F(AttestationCliTest, JsonAndPolicyOptions) {
  const std::string root = kNitro + "aws_nitro_enclaves_root_g1.pem";
  auto r = Ctl({"verify-attestation", "--json", "--root", root, "--at", kAt, "--pcr",
                "4=17354aa3f163d6882a4ff746e5821c5be66f1658472feac83268cf4b7461015ea47993c07025ebb5e134cbc13b16ac97",
                "--pcr", "0=" + std::string(96, '0'), "--user-data",
                "09ca13c2558284e5211001180528023080a305", kDoc});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["document"]["module_id"], "i-09b153b9b6859a1de-enc01882b95cd0e8a90");
  EXPECT_EQ(j["document"]["nonce"], nullptr);
  EXPECT_EQ(j["document"]["pcrs"].size(), 16u);

  r = Ctl({"verify-attestation", "--json", "--root", root, "--at", kAt, "--pcr",
           "0=" + std::string(96, '1'), kDoc});
  EXPECT_EQ(r.code, kExitVerificationFailed);
  EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["reason"], "pcr_mismatch");
  r = Ctl({"verify-attestation", "--root", root, "--at", kAt, "--user-data", "00", kDoc});
  EXPECT_EQ(r.code, kExitVerificationFailed);
  EXPECT_NE(r.err.find("user_data_mismatch"), std::string::npos);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);  // one line
}

TEST_F(AttestationCliTest, Failures) {
  const std::string root = kNitro + "aws_nitro_enclaves_root_g1.pem";
  auto reason = [&](std::vector<std::string> args) {
    auto r = Ctl(args);
    return std::to_string(r.code) + " " + r.err;
  };
  EXPECT_NE(reason({"verify-attestation", "--root", root, "--at", "1694362463", kDoc})
                .find("1 ledgerctl: verification_failed/certificate_expired"),
            std::string::npos);
  EXPECT_NE(reason({"verify-attestation", "--root", root, "--at", kAt,
                    kNitro + "docs/NEG_signal_svr2_valid_bytes_bitflip160.cose"})
                .find("bad_cose_signature"),
            std::string::npos);
  EXPECT_NE(reason({"verify-attestation", "--root", kNitro + "mock_pki/qos_mock_root.der", kDoc})
                .find("untrusted_root"),
            std::string::npos);
  EXPECT_NE(reason({"verify-attestation", "--root", root,
                    kNitro + "docs/base_nitro_validator_real_attestation_AS_PUBLISHED_BROKEN.cose"})
                .find("2 ledgerctl: invalid_argument/malformed_cbor"),
            std::string::npos);
  EXPECT_EQ(Ctl({"verify-attestation", "--root", root, Write("junk", Bytes{'!', '!'})}).code,
            kExitUsage);
  EXPECT_EQ(Ctl({"verify-attestation", "--root", kDoc, kDoc}).code, kExitUsage);  // bad root
  EXPECT_EQ(Ctl({"verify-attestation", kDoc}).code, kExitUsage);                   // no --root
  EXPECT_EQ(Ctl({"verify-attestation", "--root", root, "--pcr", "99=00", kDoc}).code, kExitUsage);
  EXPECT_EQ(Ctl({"verify-attestation", "--root", root, (dir_ / "missing").string()}).code,
            kExitNotFound);
}

TEST_F(AttestationCliTest, DevPkiSignsDocumentsThatVerifyAgainstItsRootOnly) {
  const std::string pki_dir = (dir_ / "pki").string();
  auto r = Ctl({"dev-pki", "--out", pki_dir});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(Ctl({"dev-pki", "--out", pki_dir}).code, kExitFailed);  // never overwrites
  EXPECT_EQ(fs::status(fs::path(pki_dir) / kDevPkiLeafKeyFile).permissions() &
                fs::perms::group_read,
            fs::perms::none);

  DevPkiPem pem;
  auto text = [&](const char* name) {
    Bytes b = Read((fs::path(pki_dir) / name).string());
    return std::string(b.begin(), b.end());
  };
  pem.root = text(kDevPkiRootFile);
  pem.intermediate = text(kDevPkiIntermediateFile);
  pem.leaf = text(kDevPkiLeafFile);
  pem.leaf_key = text(kDevPkiLeafKeyFile);
  auto pki = DevPkiFromPem(pem);
  ASSERT_TRUE(pki.ok()) << pki.status();

  AttestationDocument d;
  d.module_id = "sim";
  d.digest = "SHA384";
  d.timestamp_ms = static_cast<uint64_t>(::time(nullptr)) * 1000;
  d.pcrs[0] = Bytes(48, 7);
  d.certificate = pki->leaf_der;
  d.cabundle = {pki->root_der, pki->intermediate_der};
  const std::string doc = Write("sim.cose", SignAttestation(d, pki->leaf_key).value());
  r = Ctl({"verify-attestation", "--root", (fs::path(pki_dir) / kDevPkiRootFile).string(), doc});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  r = Ctl({"verify-attestation", "--root", kNitro + "aws_nitro_enclaves_root_g1.pem", doc});
  EXPECT_EQ(r.code, kExitVerificationFailed);
  EXPECT_NE(r.err.find("untrusted_root"), std::string::npos);
}

}  // namespace
}  // namespace ledger::cli
