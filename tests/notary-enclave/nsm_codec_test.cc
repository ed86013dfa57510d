// The NSM request bytes are spelled out in hex, field by field, from the serde
// externally-tagged encoding of aws-nitro-enclaves-nsm-api src/api/mod.rs
// (Request::Attestation { user_data, nonce, public_key }, Request::GetRandom,
// Request::DescribePCR { index }; Option::None = null, ByteBuf = bstr).
#include "platform/nsm_codec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "ledger/attestation/attestation.h"
#include "ledger/attestation/cbor.h"
#include "ledger_test_paths.h"

namespace notary::nsm {
namespace {

using ledger::Bytes;

std::string Reason(const ledger::Status& s) { return s.ok() ? "ok" : s.reason(); }
template <typename T>
std::string Reason(const ledger::Result<T>& r) {
  return Reason(r.status());
}

Bytes H(std::string hex) {
  std::erase(hex, ' ');
  return ledger::HexDecode(hex).value();
}

TEST(NsmCodec, AttestationRequestBytes) {
  EXPECT_EQ(ledger::HexEncode(EncodeAttestationRequest(Bytes{0x01}, {}, Bytes{0x02, 0x03})),
            ledger::HexEncode(H("a1 6b 4174746573746174696f6e"  // {"Attestation":
                                "a3 69 757365725f64617461 4101"  //  {"user_data": h'01',
                                "65 6e6f6e6365 f6"               //   "nonce": null,
                                "6a 7075626c69635f6b6579 420203")));  // "public_key": h'0203'}}
  EXPECT_EQ(ledger::HexEncode(EncodeAttestationRequest({}, {}, {})),
            "a16b4174746573746174696f6ea369757365725f64617461f6656e6f6e6365f66a7075626c69635f6b6579f6");
  // Large fields get two-byte lengths.
  const Bytes key(300, 0x04);
  const Bytes req = EncodeAttestationRequest({}, {}, key);
  EXPECT_EQ(ledger::HexEncode(ledger::ByteView(req).subspan(req.size() - 303, 3)), "59012c");
  // And what we send is valid CBOR.
  EXPECT_TRUE(ledger::cbor::Decode(req).ok());
}

TEST(NsmCodec, OtherRequestBytes) {
  EXPECT_EQ(ledger::HexEncode(EncodeGetRandomRequest()), "6947657452616e646f6d");  // "GetRandom"
  EXPECT_EQ(ledger::HexEncode(EncodeDescribePcrRequest(3)),
            "a16b4465736372696265504352a165696e64657803");  // {"DescribePCR": {"index": 3}}
  EXPECT_EQ(ledger::HexEncode(EncodeDescribePcrRequest(31)),
            "a16b4465736372696265504352a165696e646578181f");
  EXPECT_EQ(ledger::HexEncode(EncodeDescribePcrRequest(65535)),
            "a16b4465736372696265504352a165696e64657819ffff");
}

TEST(NsmCodec, AttestationResponse) {
  // {"Attestation": {"document": h'8444a1013822'}}
  auto doc = ParseAttestationResponse(H("a1 6b4174746573746174696f6e a1 68646f63756d656e74 46 8444a1013822"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ledger::HexEncode(*doc), "8444a1013822");

  // A genuine document wrapped the way the NSM returns it parses as one.
  std::ifstream in(LEDGER_TEST_VECTORS "/nitro/docs/signal_svr2_valid_bytes.cose", std::ios::binary);
  const Bytes genuine(std::istreambuf_iterator<char>(in), {});
  ASSERT_FALSE(genuine.empty());
  Bytes response = H("a1 6b4174746573746174696f6e a1 68646f63756d656e74");
  ledger::cbor::AppendHead(response, 2, genuine.size());
  ledger::Append(response, genuine);
  auto wrapped = ParseAttestationResponse(response);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status();
  EXPECT_EQ(*wrapped, genuine);
  EXPECT_TRUE(ledger::ParseAttestation(*wrapped).ok());
}

TEST(NsmCodec, GetRandomAndDescribePcrResponses) {
  // {"GetRandom": {"random": h'00ff'}}
  auto random = ParseGetRandomResponse(H("a1 6947657452616e646f6d a1 6672616e646f6d 4200ff"));
  ASSERT_TRUE(random.ok()) << random.status();
  EXPECT_EQ(ledger::HexEncode(*random), "00ff");
  // {"DescribePCR": {"lock": true, "data": h'aa'}}, fields in either order.
  auto pcr = ParseDescribePcrResponse(
      H("a1 6b4465736372696265504352 a2 646c6f636b f5 6464617461 41aa"));
  ASSERT_TRUE(pcr.ok()) << pcr.status();
  EXPECT_TRUE(pcr->locked);
  EXPECT_EQ(ledger::HexEncode(pcr->data), "aa");
  pcr = ParseDescribePcrResponse(H("a1 6b4465736372696265504352 a2 6464617461 41aa 646c6f636b f4"));
  ASSERT_TRUE(pcr.ok()) << pcr.status();
  EXPECT_FALSE(pcr->locked);
}

TEST(NsmCodec, ErrorsAndSurprisesAreRefused) {
  // {"Error": "InvalidArgument"}
  const Bytes error = H("a1 654572726f72 6f496e76616c6964417267756d656e74");
  auto r = ParseAttestationResponse(error);
  EXPECT_EQ(Reason(r), "nsm_error");
  EXPECT_NE(r.status().message().find("InvalidArgument"), std::string::npos);
  EXPECT_EQ(Reason(ParseGetRandomResponse(error)), "nsm_error");
  EXPECT_EQ(Reason(ParseDescribePcrResponse(error)), "nsm_error");

  const Bytes random = H("a1 6947657452616e646f6d a1 6672616e646f6d 4200ff");
  EXPECT_EQ(Reason(ParseAttestationResponse(random)), "bad_nsm_response");  // wrong variant
  Bytes trailing = random;
  trailing.push_back(0x00);
  EXPECT_EQ(Reason(ParseGetRandomResponse(trailing)), "malformed_cbor");
  for (const char* hex : {
           "6947657452616e646f6d",                                      // bare "GetRandom"
           "a1 6947657452616e646f6d a0",                                // no field
           "a1 6947657452616e646f6d a1 6672616e646f6d 40",              // empty random
           "a1 6947657452616e646f6d a1 6672616e646f6d 6100",            // text, not bytes
           "a1 6947657452616e646f6d a2 6672616e646f6d 4100 6178 00",    // extra field
           "a2 6947657452616e646f6d a0 6178 00",                        // two variants
           "a1 6947657452616e646f6d 80",                                // not a map
           "a1 654572726f72 01",                                        // error code not text
       }) {
    EXPECT_NE(Reason(ParseGetRandomResponse(H(hex))), "ok") << hex;
  }
  EXPECT_EQ(Reason(ParseDescribePcrResponse(
                H("a1 6b4465736372696265504352 a2 646c6f636b 01 6464617461 41aa"))),
            "bad_nsm_response");  // lock is not a bool
  EXPECT_EQ(Reason(ParseAttestationResponse({})), "malformed_cbor");
}

}  // namespace
}  // namespace notary::nsm
