// Documents the simulated NSM produces: SignAttestation with a DevPki (and
// with the tkhq/qos mock PKI, an independent Nitro-shaped chain).
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>

#include "ledger/attestation/attestation.h"
#include "ledger/attestation/cbor.h"
#include "ledger/attestation/cose.h"
#include "ledger/attestation_dev/sign_attestation.h"
#include "nitro_test_util.h"

namespace ledger {
namespace {

using nitro_test::Reason;
const std::string& kNitro = nitro_test::kNitroVectors;
Bytes ReadFile(const std::string& path) { return nitro_test::ReadVectorFile(path); }

constexpr uint64_t kNow = 1767472867;  // 2026-01-03

const DevPki& Pki() {
  static const DevPki pki = [] {
    DevPkiOptions o;
    o.not_before_unix = kNow - 86400;
    o.validity_days = 30;
    return CreateDevPki(o).value();
  }();
  return pki;
}

AttestationDocument SimDocument(const DevPki& pki) {
  AttestationDocument d;
  d.module_id = "sim-notary";
  d.digest = "SHA384";
  d.timestamp_ms = kNow * 1000 + 123;
  for (uint32_t i = 0; i < 16; ++i) d.pcrs[i] = Bytes(48, static_cast<uint8_t>(i));
  d.certificate = pki.leaf_der;
  d.cabundle = {pki.root_der, pki.intermediate_der};
  d.public_key = Bytes(65, 0x04);
  d.user_data = Bytes(32, 0xaa);
  d.nonce = Bytes{1, 2, 3};
  return d;
}

AttestationPolicy DevPolicy() {
  AttestationPolicy p;
  p.root_der = Pki().root_der;
  return p;
}

TEST(SimAttestation, SignedDocumentVerifiesAgainstTheDevRootOnly) {
  const AttestationDocument doc = SimDocument(Pki());
  auto cose = SignAttestation(doc, Pki().leaf_key);
  ASSERT_TRUE(cose.ok()) << cose.status();
  AttestationPolicy p = DevPolicy();
  p.expected_pcrs = {{0, Bytes(48, 0)}, {15, Bytes(48, 15)}};
  p.expected_user_data = doc.user_data;
  p.expected_nonce = doc.nonce;
  auto v = VerifyAttestation(*cose, p);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->document.module_id, doc.module_id);
  EXPECT_EQ(v->document.timestamp_ms, doc.timestamp_ms);
  EXPECT_EQ(v->document.pcrs, doc.pcrs);
  EXPECT_EQ(v->document.cabundle, doc.cabundle);
  EXPECT_EQ(v->public_key, doc.public_key);
  EXPECT_EQ(v->document.nonce, doc.nonce);

  AttestationPolicy aws;
  aws.root_der = ReadFile(kNitro + "aws_nitro_enclaves_root_g1.der");
  EXPECT_EQ(Reason(VerifyAttestation(*cose, aws)), "untrusted_root");
  auto other = CreateDevPki().value();
  AttestationPolicy other_root;
  other_root.root_der = other.root_der;
  EXPECT_EQ(Reason(VerifyAttestation(*cose, other_root)), "untrusted_root");
}

TEST(SimAttestation, AbsentOptionalFieldsAreNull) {
  AttestationDocument doc = SimDocument(Pki());
  doc.public_key.clear();
  doc.user_data.clear();
  doc.nonce.clear();
  const Bytes payload = EncodeAttestationPayload(doc).value();
  auto map = cbor::Decode(payload).value();
  ASSERT_NE(map.Find("nonce"), nullptr);
  EXPECT_TRUE(map.Find("nonce")->is_null());
  auto v = VerifyAttestation(SignAttestation(doc, Pki().leaf_key).value(), DevPolicy());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->public_key.empty());
}

// schemas/formats/attestation.md §3: what we produce, byte for byte.
TEST(SimAttestation, ProducedLayout) {
  const Bytes cose = SignAttestation(SimDocument(Pki()), Pki().leaf_key).value();
  EXPECT_EQ(HexEncode(ByteView(cose).first(7)), "8444a1013822a0");
  auto sign1 = cose::ParseSign1(cose).value();
  auto map = cbor::Decode(sign1.payload).value();
  EXPECT_FALSE(map.indefinite);
  std::vector<std::string> keys;
  for (const auto& [k, v] : map.entries) keys.push_back(k.text);
  EXPECT_EQ(keys, (std::vector<std::string>{"pcrs", "nonce", "digest", "cabundle", "module_id",
                                            "timestamp", "user_data", "public_key",
                                            "certificate"}));
}

TEST(SimAttestation, ExpiredAndOutOfOrderChains) {
  const AttestationDocument doc = SimDocument(Pki());
  const Bytes cose = SignAttestation(doc, Pki().leaf_key).value();
  AttestationPolicy p = DevPolicy();
  p.at_unix = kNow + 31 * 86400;
  EXPECT_EQ(Reason(VerifyAttestation(cose, p)), "certificate_expired");
  p.at_unix = kNow - 2 * 86400;
  EXPECT_EQ(Reason(VerifyAttestation(cose, p)), "certificate_not_yet_valid");

  AttestationDocument missing = doc;  // intermediate dropped
  missing.cabundle = {Pki().root_der};
  EXPECT_EQ(Reason(VerifyAttestation(SignAttestation(missing, Pki().leaf_key).value(),
                                     DevPolicy())),
            "chain_invalid");
  AttestationDocument reversed = doc;  // leaf-first bundle: root not at [0]
  reversed.cabundle = {Pki().intermediate_der, Pki().root_der};
  EXPECT_EQ(Reason(VerifyAttestation(SignAttestation(reversed, Pki().leaf_key).value(),
                                     DevPolicy())),
            "untrusted_root");
  AttestationDocument extra = doc;  // an unused certificate in the bundle
  extra.cabundle = {Pki().root_der, Pki().intermediate_der, CreateDevPki()->intermediate_der};
  EXPECT_EQ(Reason(VerifyAttestation(SignAttestation(extra, Pki().leaf_key).value(),
                                     DevPolicy())),
            "chain_invalid");
  AttestationDocument self_leaf = doc;  // the leaf is the intermediate: not the signer
  self_leaf.certificate = Pki().intermediate_der;
  EXPECT_EQ(Reason(SignAttestation(self_leaf, Pki().leaf_key)), "key_certificate_mismatch");
}

TEST(SimAttestation, WrongKeyIsRefusedAndCaughtByVerify) {
  const AttestationDocument doc = SimDocument(Pki());
  auto other = P384PrivateKey::Generate().value();
  EXPECT_EQ(Reason(SignAttestation(doc, other)), "key_certificate_mismatch");
  // Signed anyway, bypassing SignAttestation's check: the verifier catches it.
  const Bytes forged = cose::SignSign1(EncodeAttestationPayload(doc).value(), other).value();
  EXPECT_EQ(Reason(VerifyAttestation(forged, DevPolicy())), "bad_cose_signature");
}

// Payloads that break the AWS CDDL or semantic checks.
TEST(SimAttestation, MalformedPayloadsAreRefused) {
  using cbor::Item;
  const Bytes good = EncodeAttestationPayload(SimDocument(Pki())).value();
  auto mutate = [&](const std::function<void(Item&)>& f) {
    Item map = cbor::Decode(good).value();
    f(map);
    const Bytes payload = cbor::Encode(map).value();
    return ParseAttestation(cose::SignSign1(payload, Pki().leaf_key).value());
  };
  auto set = [](std::string key, Item value) {
    return [key, value](Item& m) {
      for (auto& [k, v] : m.entries) {
        if (k.text == key) v = value;
      }
    };
  };
  auto drop = [](std::string key) {
    return [key](Item& m) {
      std::erase_if(m.entries, [&](const auto& e) { return e.first.text == key; });
    };
  };
  EXPECT_TRUE(mutate([](Item&) {}).ok());
  const std::vector<std::function<void(Item&)>> bad = {
      drop("module_id"), drop("digest"), drop("timestamp"), drop("pcrs"), drop("certificate"),
      drop("cabundle"),
      set("module_id", Item::TextString("")), set("module_id", Item::ByteString(Bytes{1})),
      set("digest", Item::TextString("SHA256")), set("timestamp", Item::Uint(0)),
      set("timestamp", Item::Int(-5)), set("pcrs", Item::Map({})),
      set("pcrs", Item::Map({{Item::Uint(32), Item::ByteString(Bytes(48, 0))}})),
      set("pcrs", Item::Map({{Item::Uint(0), Item::ByteString(Bytes(20, 0))}})),
      set("pcrs", Item::Map({{Item::TextString("0"), Item::ByteString(Bytes(48, 0))}})),
      set("certificate", Item::ByteString({})), set("certificate", Item::ByteString(Bytes(1025, 1))),
      set("cabundle", Item::Array({})), set("cabundle", Item::Array({Item::Null()})),
      set("public_key", Item::ByteString({})), set("user_data", Item::ByteString(Bytes(513, 0))),
      set("nonce", Item::ByteString(Bytes(513, 0))), set("nonce", Item::Uint(1)),
      [](Item& m) { m.entries.emplace_back(Item::TextString("extra"), Item::Null()); },
      [](Item& m) { m.entries.emplace_back(Item::Uint(1), Item::Null()); },
      [](Item& m) { m = Item::Array({}); },
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(Reason(mutate(bad[i])), "malformed_attestation") << "case " << i;
  }
  // Allowed edge values: 512-byte user_data and nonce, 1024-byte public_key,
  // 32- and 64-byte PCRs, an empty user_data.
  const std::vector<std::function<void(Item&)>> ok = {
      set("user_data", Item::ByteString(Bytes(512, 0))), set("nonce", Item::ByteString({})),
      set("public_key", Item::ByteString(Bytes(1024, 0))),
      set("pcrs", Item::Map({{Item::Uint(31), Item::ByteString(Bytes(32, 0))},
                             {Item::Uint(0), Item::ByteString(Bytes(64, 0))}})),
  };
  for (size_t i = 0; i < ok.size(); ++i) EXPECT_TRUE(mutate(ok[i]).ok()) << "case " << i;
}

// The tkhq/qos mock PKI (not ours, not AWS): our signer and verifier
// interoperate with an independently made Nitro-shaped chain.
TEST(SimAttestation, QosMockPki) {
  auto key = P384PrivateKey::FromScalar(
      HexDecode(std::string(AsString(ReadFile(kNitro + "mock_pki/qos_mock_leaf_p384_secret.hex")))
                    .substr(0, 96))
          .value());
  ASSERT_TRUE(key.ok()) << key.status();
  AttestationDocument doc = SimDocument(Pki());
  doc.certificate = ReadFile(kNitro + "mock_pki/qos_mock_leaf.der");
  doc.cabundle = {ReadFile(kNitro + "mock_pki/qos_mock_root.der"),
                  ReadFile(kNitro + "mock_pki/qos_mock_intermediate.der")};
  auto cose = SignAttestation(doc, *key);
  ASSERT_TRUE(cose.ok()) << cose.status();
  AttestationPolicy p;
  p.root_der = doc.cabundle[0];
  auto v = VerifyAttestation(*cose, p);
  EXPECT_TRUE(v.ok()) << v.status();
}

TEST(DevPki, PemRoundTrip) {
  auto pem = DevPkiToPem(Pki()).value();
  EXPECT_EQ(pem.root.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(pem.leaf_key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto back = DevPkiFromPem(pem);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->root_der, Pki().root_der);
  EXPECT_EQ(back->intermediate_der, Pki().intermediate_der);
  EXPECT_EQ(back->leaf_der, Pki().leaf_der);
  EXPECT_TRUE(back->leaf_key.public_key() == Pki().leaf_key.public_key());

  auto other = DevPkiToPem(CreateDevPki().value()).value();
  DevPkiPem mixed = pem;
  mixed.leaf_key = other.leaf_key;
  EXPECT_EQ(Reason(DevPkiFromPem(mixed)), "bad_dev_pki");
  mixed = pem;
  mixed.intermediate = other.intermediate;
  EXPECT_EQ(Reason(DevPkiFromPem(mixed)), "bad_dev_pki");
  mixed = pem;
  mixed.root = "junk";
  EXPECT_EQ(Reason(DevPkiFromPem(mixed)), "bad_dev_pki");
}

}  // namespace
}  // namespace ledger
