#include "ledger/attestation/attestation.h"
#include "ledger/attestation/certificate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ledger/attestation/cbor.h"
#include "ledger/attestation/cose.h"
#include "nitro_test_util.h"

namespace ledger {
namespace {

using nitro_test::Reason;
const std::string& kNitro = nitro_test::kNitroVectors;
Bytes ReadFile(const std::string& path) { return nitro_test::ReadVectorFile(path); }
nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  LEDGER_CHECK(static_cast<bool>(in));
  return nlohmann::json::parse(in);
}
Bytes Hex(const nlohmann::json& j) { return HexDecode(j.get<std::string>()).value(); }

const Bytes& AwsRoot() {
  static const Bytes root = ReadFile(kNitro + "aws_nitro_enclaves_root_g1.der");
  return root;
}

struct Genuine {
  std::string name;
  Bytes cose;
  nlohmann::json meta;   // docs/<name>.json
  nlohmann::json index;  // its index.json entry
};

std::vector<Genuine> GenuineDocuments() {
  std::vector<Genuine> out;
  for (const auto& entry : ReadJson(kNitro + "index.json")) {
    if (entry["expected"] != "valid") continue;
    std::string file = entry["file"];
    std::string name = file.substr(5, file.size() - 5 - 5);  // docs/<name>.cose
    out.push_back({name, ReadFile(kNitro + file), ReadJson(kNitro + "docs/" + name + ".json"),
                   entry});
  }
  LEDGER_CHECK(out.size() == 7);
  return out;
}

AttestationPolicy AwsPolicy(uint64_t at) {
  AttestationPolicy p;
  p.root_der = AwsRoot();
  p.at_unix = at;
  return p;
}

TEST(Attestation, EveryGenuineDocumentVerifies) {
  for (const auto& g : GenuineDocuments()) {
    SCOPED_TRACE(g.name);
    const uint64_t at = g.index["verify_at_unix"];
    auto v = VerifyAttestation(g.cose, AwsPolicy(at));
    ASSERT_TRUE(v.ok()) << v.status();
    const AttestationDocument& d = v->document;
    EXPECT_EQ(d.module_id, g.meta["module_id"]);
    EXPECT_EQ(d.digest, "SHA384");
    EXPECT_EQ(d.timestamp_ms, g.meta["timestamp_ms"]);
    EXPECT_EQ(d.cabundle.size(), 4u);
    EXPECT_EQ(d.cabundle[0], AwsRoot());
    ASSERT_EQ(d.pcrs.size(), g.meta["pcrs"].size());
    for (const auto& [index, value] : g.meta["pcrs"].items()) {
      EXPECT_EQ(d.pcrs.at(static_cast<uint32_t>(std::stoul(index))), Hex(value));
    }
    for (const char* field : {"public_key", "user_data", "nonce"}) {
      const Bytes& got = std::string(field) == "public_key" ? d.public_key
                         : std::string(field) == "user_data" ? d.user_data
                                                             : d.nonce;
      if (g.meta[field].is_null()) {
        EXPECT_TRUE(got.empty()) << field;
      } else {
        EXPECT_EQ(HexEncode(got), g.meta[field]) << field;
      }
    }
    EXPECT_EQ(v->public_key, d.public_key);
    // The base64 copy is the same document.
    EXPECT_EQ(Base64Decode(std::string_view(
                               [&] {
                                 auto b = ReadFile(kNitro + "docs/" + g.name + ".cose.b64");
                                 while (!b.empty() && (b.back() == '\n' || b.back() == '\r')) b.pop_back();
                                 return std::string(b.begin(), b.end());
                               }()))
                  .value(),
              g.cose);
    // Default time: the document's own timestamp, inside the chain window.
    AttestationPolicy own;
    own.root_der = AwsRoot();
    EXPECT_TRUE(VerifyAttestation(g.cose, own).ok());
    // The exact window: one second outside it on either side fails.
    const uint64_t from = g.index["valid_from_unix"], until = g.index["valid_until_unix"];
    EXPECT_TRUE(VerifyAttestation(g.cose, AwsPolicy(from)).ok());
    // OpenSSL counts the notAfter second itself as expired (one second
    // stricter than RFC 5280 §4.1.2.5); schemas/formats/attestation.md says so.
    EXPECT_TRUE(VerifyAttestation(g.cose, AwsPolicy(until - 1)).ok());
    EXPECT_EQ(Reason(VerifyAttestation(g.cose, AwsPolicy(from - 1))), "certificate_not_yet_valid");
    EXPECT_EQ(Reason(VerifyAttestation(g.cose, AwsPolicy(until + 1))), "certificate_expired");
    // Truncations are malformed, never a crash.
    for (size_t cut : {size_t{1}, size_t{97}, g.cose.size() / 2, g.cose.size() - 1}) {
      auto r = VerifyAttestation(ByteView(g.cose).first(g.cose.size() - cut), AwsPolicy(at));
      EXPECT_EQ(Reason(r), "malformed_cbor") << "cut " << cut;
    }
  }
}

// The Sig_structure of a real document, as in schemas/formats/attestation.md.
TEST(Attestation, SigStructureOfARealDocument) {
  const Bytes doc = ReadFile(kNitro + "docs/signal_svr2_valid_bytes.cose");
  const auto meta = ReadJson(kNitro + "docs/signal_svr2_valid_bytes.json");
  auto sign1 = cose::ParseSign1(doc).value();
  EXPECT_EQ(sign1.to_be_signed.size(), meta["sig_structure_len"]);
  EXPECT_EQ(HexEncode(ByteView(sign1.to_be_signed).first(32)), meta["sig_structure_prefix_hex"]);
  Bytes digest(48);
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest(sign1.to_be_signed.data(), sign1.to_be_signed.size(), digest.data(), &len,
                       EVP_sha384(), nullptr),
            1);
  EXPECT_EQ(HexEncode(digest), meta["sig_structure_sha384"]);
}

TEST(Attestation, MustFailVectors) {
  const Bytes flipped = ReadFile(kNitro + "docs/NEG_signal_svr2_valid_bytes_bitflip160.cose");
  EXPECT_EQ(Reason(VerifyAttestation(flipped, AwsPolicy(1684362463))), "bad_cose_signature");
  EXPECT_TRUE(ParseAttestation(flipped).ok());  // still well-formed
  const Bytes broken =
      ReadFile(kNitro + "docs/base_nitro_validator_real_attestation_AS_PUBLISHED_BROKEN.cose");
  EXPECT_EQ(Reason(ParseAttestation(broken)), "malformed_cbor");
  EXPECT_EQ(Reason(VerifyAttestation(broken, AwsPolicy(1767472867))), "malformed_cbor");
}

// Flipping any bit of any byte of a genuine document makes it fail.
TEST(Attestation, EverySingleBitFlipFails) {
  const Bytes doc = ReadFile(kNitro + "docs/signal_svr2_valid_bytes.cose");
  const AttestationPolicy policy = AwsPolicy(1684362463);
  ASSERT_TRUE(VerifyAttestation(doc, policy).ok());
  for (size_t i = 0; i < doc.size(); ++i) {
    Bytes bad = doc;
    bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
    ASSERT_FALSE(VerifyAttestation(bad, policy).ok()) << "byte " << i;
  }
}

TEST(Attestation, OtherRootsAndPolicyMismatches) {
  const Bytes doc = ReadFile(kNitro + "docs/signal_svr2_valid_bytes.cose");
  const auto meta = ReadJson(kNitro + "docs/signal_svr2_valid_bytes.json");
  AttestationPolicy p = AwsPolicy(1684362463);
  p.root_der = ReadFile(kNitro + "mock_pki/qos_mock_root.der");
  EXPECT_EQ(Reason(VerifyAttestation(doc, p)), "untrusted_root");
  p.root_der = Bytes{0x30, 0x00};
  EXPECT_EQ(Reason(VerifyAttestation(doc, p)), "bad_root");

  p = AwsPolicy(1684362463);
  p.expected_pcrs[4] = Hex(meta["pcrs"]["4"]);
  p.expected_pcrs[0] = Bytes(48, 0);
  EXPECT_TRUE(VerifyAttestation(doc, p).ok());
  p.expected_pcrs[4][0] ^= 1;
  EXPECT_EQ(Reason(VerifyAttestation(doc, p)), "pcr_mismatch");
  p.expected_pcrs = {{16, Bytes(48, 0)}};  // not in the document
  EXPECT_EQ(Reason(VerifyAttestation(doc, p)), "pcr_mismatch");

  p = AwsPolicy(1684362463);
  p.expected_user_data = Hex(meta["user_data"]);
  EXPECT_TRUE(VerifyAttestation(doc, p).ok());
  p.expected_user_data->push_back(0);
  EXPECT_EQ(Reason(VerifyAttestation(doc, p)), "user_data_mismatch");

  p = AwsPolicy(1684362463);
  p.expected_nonce = Bytes{};  // absent nonce matches the empty expectation
  EXPECT_TRUE(VerifyAttestation(doc, p).ok());
  p.expected_nonce = Bytes{1, 2, 3};
  EXPECT_EQ(Reason(VerifyAttestation(doc, p)), "nonce_mismatch");
}

TEST(Attestation, RootFromPemIsTheDerByteForByte) {
  const Bytes pem = ReadFile(kNitro + "aws_nitro_enclaves_root_g1.pem");
  EXPECT_EQ(CertificateFromPemOrDer(pem).value(), AwsRoot());
  EXPECT_EQ(CertificateFromPemOrDer(AwsRoot()).value(), AwsRoot());
  EXPECT_EQ(Reason(CertificateFromPemOrDer(AsBytes("-----BEGIN CERTIFICATE-----\nAAAA\n"))),
            "bad_certificate");
  EXPECT_EQ(Reason(CertificateFromPemOrDer(Bytes{1, 2, 3})), "bad_certificate");
}

}  // namespace
}  // namespace ledger
