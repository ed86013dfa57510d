// The notary's own records in a bundle (ledger/record/ownership.h, export-bundle.md
// §8): only entries stamped by the log key are key and policy history, a
// look-alike a submitter stamped fails `evidence.notary_records`, and each
// boot document must attest the manifest digest and ephemeral key its boot
// entry records, under the PCRs of the pinned manifest.
#include <gtest/gtest.h>

#include <chrono>

#include "../store/unchecked_append.h"
#include "export_fixture.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/attestation_dev/sign_attestation.h"
#include "ledger/record/stamp.h"
#include "ledger/trust/manifest.h"

namespace ledger::testing {
namespace {

using bundle::Files;

SubmittedEvent ByLogKey(const Event& e) {
  Bytes event = EncodeEvent(e).value();
  return {event, MakeStamp(kOrigin, event, *note::NewEd25519Signer(kOrigin, LogKey())).value()};
}

Event PolicyRecord(const std::string& id) {
  Event e;
  e.kind = EventKind::kPolicyChanged;
  e.event_id = id;
  e.occurred_at_us = 1'700'000'100'000'000ull;
  e.actor = {"operators", "operator-quorum", "quorum", ""};
  e.subject = std::string("notary-policy/") + kOrigin;
  e.new_state_hash = Sha256::Digest(id);
  return e;
}

class NotaryRecordsTest : public ExportTest {
 protected:
  // A manifest with this PCR0 (its digest is what a boot document attests).
  static Manifest ManifestWith(uint8_t pcr0) {
    Manifest m;
    m.origin = kOrigin;
    m.pcr0.fill(pcr0);
    m.operators.push_back({"op", P256PrivateKey::Generate().value().public_key()});
    m.threshold = 1;
    m.quorum_public_key = Ed25519PrivateKey::Generate().value().public_key();
    return m;
  }

  struct Boot {
    Bytes pcr0 = Bytes(kPcrSize, 0xa0);
    Hash user_data = {};        // Default: the recorded manifest digest
    std::string attested = {};  // Default: the recorded ephemeral key
  };

  // A log of 8 events and one ENCLAVE_BOOTED entry recording manifest_ and an
  // ephemeral key, whose payload is a document made as `boot` says; exported.
  Files BundleWithBoot(Boot boot) {
    const Hash digest = ManifestDigest(manifest_).value();
    const std::string ephemeral = P256PrivateKey::Generate().value().public_key().Hex();
    AttestationDocument d;
    d.module_id = "i-test-enc";
    d.digest = "SHA384";
    // Now: the dev PKI's certificates are valid from their creation on.
    d.timestamp_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
    d.pcrs[0] = boot.pcr0;
    d.certificate = pki_.leaf_der;
    d.cabundle = {pki_.root_der, pki_.intermediate_der};
    d.public_key = HexDecode(boot.attested.empty() ? ephemeral : boot.attested).value();
    const Hash user_data = boot.user_data == Hash() ? digest : boot.user_data;
    d.user_data = Bytes(user_data.bytes.begin(), user_data.bytes.end());
    Bytes doc = SignAttestation(d, pki_.leaf_key).value();

    Fill(8);
    Event e = PolicyRecord("boot");
    e.kind = EventKind::kEnclaveBooted;
    e.subject = std::string("notary/") + kOrigin;
    e.new_state_hash = digest;
    e.payload_digest = Sha256::Digest(doc);
    e.attributes = {{"ephemeral_public_key", ephemeral},
                    {"manifest_digest", digest.Hex()},
                    {"platform", "sim"}};
    std::vector<SubmittedEvent> batch = {ByLogKey(e)};
    auto b = seq_.Sequence(seq_.head().size(), seq_.head().range.Root(), batch);
    EXPECT_TRUE(b.ok()) << b.status();
    std::vector<store::Payload> payloads = {{*e.payload_digest, doc, "application/cose"}};
    EXPECT_TRUE(store_->Append(*b, payloads).ok());
    return Export(Request());
  }

  bundle::VerifyReport VerifyPinned(const Files& f, std::vector<Manifest> pinned) {
    bundle::VerifyOptions o;
    o.log_key = LogVerifier();
    o.attestation_root_der = pki_.root_der;
    o.notary_manifests = std::move(pinned);
    return bundle::VerifyBundle(f, o);
  }

  std::string Detail(const bundle::VerifyReport& r, std::string_view check) {
    const auto* c = r.Find(check);
    return c ? c->detail : "";
  }

  DevPki pki_ = CreateDevPki().value();
  Manifest manifest_ = ManifestWith(0xa0);
};

TEST_F(NotaryRecordsTest, ABootDocumentOfTheRecordedInstanceAndManifestVerifies) {
  Files f = BundleWithBoot({});
  auto report = VerifyPinned(f, {manifest_});
  EXPECT_TRUE(report.ok()) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.attestation").find("1 with the PCRs"), std::string::npos)
      << Detail(report, "evidence.attestation");
  EXPECT_TRUE(report.Find("evidence.notary_records")->ok);
}

// Review F7: the check used to chain each document to the root and nothing
// more, so any genuine document passed under a forged or replayed entry.
TEST_F(NotaryRecordsTest, ABootDocumentOfAnotherImageRefused) {
  Files f = BundleWithBoot({.pcr0 = Bytes(kPcrSize, 0xbb)});
  auto report = VerifyPinned(f, {manifest_});
  EXPECT_TRUE(Fails(report, "evidence.attestation")) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.attestation").find("pcr_mismatch"), std::string::npos);
}

TEST_F(NotaryRecordsTest, ABootDocumentOfAnotherManifestRefused) {
  Files f = BundleWithBoot({.user_data = Sha256::Digest("another manifest")});
  auto report = VerifyPinned(f, {manifest_});
  EXPECT_TRUE(Fails(report, "evidence.attestation")) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.attestation").find("user_data_mismatch"), std::string::npos);
}

TEST_F(NotaryRecordsTest, ABootDocumentOfAnotherKeyRefused) {
  Files f = BundleWithBoot({.attested = P256PrivateKey::Generate().value().public_key().Hex()});
  auto report = VerifyPinned(f, {manifest_});
  EXPECT_TRUE(Fails(report, "evidence.attestation")) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.attestation").find("public_key_mismatch"), std::string::npos);
}

TEST_F(NotaryRecordsTest, ABootUnderAnUnpinnedManifestRefused) {
  Files f = BundleWithBoot({});
  auto report = VerifyPinned(f, {ManifestWith(0xa1)});
  EXPECT_TRUE(Fails(report, "evidence.attestation")) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.attestation").find("unpinned_manifest"), std::string::npos);
  // Without a pinned manifest, the digest and key are still checked.
  report = VerifyPinned(f, {});
  EXPECT_TRUE(report.ok()) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.attestation").find("none pinned"), std::string::npos);
}

// Review F7: a submitter granted POLICY_CHANGED appended a look-alike of the
// notary's policy record, and the export listed it as policy history. The
// sequencer now refuses it; a log that holds one from before is judged.
TEST_F(NotaryRecordsTest, ASubmittersLookAlikeIsNotEvidenceAndIsFlagged) {
  Fill(8);
  std::vector<SubmittedEvent> genuine = {ByLogKey(PolicyRecord("policy-changed/1"))};
  auto b = seq_.Sequence(8, seq_.head().range.Root(), genuine);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(store_->Append(*b).ok());
  const uint64_t end_of_range = RecordedAt(8);
  auto submitter = note::NewEd25519Signer("kms.frontend", Ed25519PrivateKey::Generate().value());
  Bytes forged = EncodeEvent(PolicyRecord("policy-changed/2")).value();
  ASSERT_TRUE(
      AppendUnchecked(*store_, {forged, MakeStamp(kOrigin, forged, *submitter).value()}).ok());
  auto unchecked = [this](const Event& e, const store::Payload& p) {
    std::vector<store::Payload> payloads = {p};
    return AppendUnchecked(*store_, {EncodeEvent(e).value(), {}}, payloads);
  };

  // A range before both: the genuine record comes along as evidence, the
  // look-alike does not, and the bundle verifies.
  auto req = Request();
  req.to_us = end_of_range;
  auto files = exporter::CreateExport(*store_, req, unchecked);
  ASSERT_TRUE(files.ok()) << files.status();
  auto report = Verify(*files);
  EXPECT_TRUE(report.ok()) << Failed(report);
  const std::string& evidence = (*files)[bundle::kEvidenceJsonl];
  EXPECT_NE(evidence.find("policy-changed/1"), std::string::npos);
  EXPECT_EQ(evidence.find("policy-changed/2"), std::string::npos);

  // The whole log: the look-alike is an entry in scope, and it is flagged.
  files = exporter::CreateExport(*store_, Request(), unchecked);
  ASSERT_TRUE(files.ok()) << files.status();
  report = Verify(*files);
  EXPECT_TRUE(Fails(report, "evidence.notary_records")) << Failed(report);
  EXPECT_NE(Detail(report, "evidence.notary_records").find("entry 9"), std::string::npos)
      << Detail(report, "evidence.notary_records");
}

}  // namespace
}  // namespace ledger::testing
