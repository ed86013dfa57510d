// The "notary" member of receipts and state answers: it round-trips, and
// anything but its exact shape is malformed_notary_evidence, never a
// partly-read piece of evidence.
#include "ledger/codec/notary_evidence_json.h"

#include <gtest/gtest.h>

namespace ledger::codec {
namespace {

NotaryEvidence Sample() {
  NotaryEvidence e;
  e.batch_checkpoint = "ledger.test/log\n5\nAAAA\n\n— ledger.test/log abc=\n";
  e.first_index = 3;
  e.count = 2;
  e.batch_consistency = {Sha256::Digest(AsBytes(std::string_view("a")))};
  e.app_proof_payload = "{\"scheme\":\"audit-ledger/app-proof/v1\"}";
  e.app_proof_signature = Bytes(64, 0x11);
  e.app_proof_public_key = Bytes(65, 0x04);
  e.boot_index = 1;
  e.boot_leaf = Bytes{1, 2, 3};
  e.boot_inclusion = {Sha256::Digest(AsBytes(std::string_view("b"))),
                      Sha256::Digest(AsBytes(std::string_view("c")))};
  e.attestation = Bytes{0xd2, 0x84};
  e.pcr0 = Bytes(48, 0xab);
  return e;
}

TEST(NotaryEvidenceJsonTest, RoundTrips) {
  const NotaryEvidence e = Sample();
  auto back = NotaryEvidenceFromJson(NotaryEvidenceToJson(e));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->batch_checkpoint, e.batch_checkpoint);
  EXPECT_EQ(back->first_index, 3u);
  EXPECT_EQ(back->count, 2u);
  EXPECT_EQ(back->batch_consistency, e.batch_consistency);
  EXPECT_EQ(back->app_proof_payload, e.app_proof_payload);
  EXPECT_EQ(back->app_proof_signature, e.app_proof_signature);
  EXPECT_EQ(back->app_proof_public_key, e.app_proof_public_key);
  EXPECT_EQ(back->boot_index, 1u);
  EXPECT_EQ(back->boot_leaf, e.boot_leaf);
  EXPECT_EQ(back->boot_inclusion, e.boot_inclusion);
  EXPECT_EQ(back->attestation, e.attestation);
  EXPECT_EQ(back->pcr0, e.pcr0);
}

TEST(NotaryEvidenceJsonTest, EveryDefectIsMalformed) {
  const nlohmann::json good = NotaryEvidenceToJson(Sample());
  std::vector<nlohmann::json> bad;
  bad.push_back(nlohmann::json::array());
  for (const char* k : {"pcr0", "batch", "app_proof", "boot"}) {
    nlohmann::json j = good;
    j.erase(k);
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["extra"] = 1;
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["boot"]["index"] = -1;
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["batch"]["count"] = "2";
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["app_proof"]["signature"] = "not base64!";
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["boot"]["inclusion_proof"] = nlohmann::json::array({"AAAA"});
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["batch"]["consistency_proof"] = nlohmann::json::array();
    for (int i = 0; i < 65; ++i) j["batch"]["consistency_proof"].push_back(good["boot"]["inclusion_proof"][0]);
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["pcr0"] = "zz";
    bad.push_back(j);
  }
  {
    nlohmann::json j = good;
    j["boot"]["unknown"] = true;
    bad.push_back(j);
  }
  for (const nlohmann::json& j : bad) {
    auto e = NotaryEvidenceFromJson(j);
    ASSERT_FALSE(e.ok()) << j.dump();
    EXPECT_EQ(e.status().reason(), "malformed_notary_evidence") << j.dump();
  }
}

}  // namespace
}  // namespace ledger::codec
