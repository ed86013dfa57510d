// Every vector in tests/vectors/ethereum (PROVENANCE.md): Keccak-256, RLP and
// signing of EIP-1559 and EIP-155 transactions, recovery, EIP-191, EIP-712.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "evm/keccak.h"
#include "evm/rlp.h"
#include "evm/signing.h"
#include "evm/transaction.h"
#include "ledger_test_paths.h"

namespace anchor::evm {
namespace {

using Json = nlohmann::json;

Json Load(const std::string& name) {
  std::ifstream in(std::string(LEDGER_TEST_VECTORS) + "/ethereum/" + name);
  EXPECT_TRUE(in.good()) << name;
  return Json::parse(in);
}

Bytes Hex(const std::string& s) {
  auto b = (s.rfind("0x", 0) == 0) ? FromHex0x(s) : ledger::HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes{};
}

Hash HashOf(const std::string& s) { return *Hash::FromBytes(Hex(s)); }

// Numbers in the vectors are JSON integers, decimal strings or 0x strings.
U256 Num(const Json& v) {
  if (v.is_number_unsigned()) return U256::FromU64(v.get<uint64_t>());
  std::string s = v.get<std::string>();
  if (s.rfind("0x", 0) == 0) {
    std::string h = s.substr(2);
    if (h.size() % 2) h = "0" + h;
    return *U256::FromBytes(*ledger::HexDecode(h));
  }
  return *U256::FromDecimal(s);
}

TEST(Keccak256Vectors, NamedAndKat) {
  Json v = Load("keccak256.json");
  size_t n = 0;
  for (const char* set : {"named_vectors", "kat"}) {
    for (const Json& c : v[set]) {
      Bytes msg = Hex(c["msg_hex"].get<std::string>());
      EXPECT_EQ(Keccak256::Digest(msg).Hex(), c["md_hex"].get<std::string>()) << c.dump();
      ++n;
    }
  }
  EXPECT_GE(n, 260u);
}

TEST(Keccak256Vectors, IncrementalEqualsOneShot) {
  // Block boundaries (rate 136) are where a sponge goes wrong.
  for (size_t len : {0, 1, 135, 136, 137, 271, 272, 273, 1000}) {
    Bytes msg(len);
    for (size_t i = 0; i < len; ++i) msg[i] = static_cast<uint8_t>(i * 7 + 3);
    Keccak256 k;
    for (size_t i = 0; i < len; i += 13) {
      k.Update(ByteView(msg).subspan(i, std::min<size_t>(13, len - i)));
    }
    EXPECT_EQ(k.Final(), Keccak256::Digest(msg)) << len;
  }
}

TEST(Eip1559Vectors, SignAndDecode) {
  Json v = Load("eip1559.json");
  ASSERT_FALSE(v["cases"].empty());
  for (const Json& c : v["cases"]) {
    const Json& t = c["tx"];
    Eip1559Tx tx;
    tx.chain_id = t["chainId"].get<uint64_t>();
    tx.nonce = t["nonce"].get<uint64_t>();
    tx.max_priority_fee_per_gas = Num(t["maxPriorityFeePerGas"]);
    tx.max_fee_per_gas = Num(t["maxFeePerGas"]);
    tx.gas_limit = t["gasLimit"].get<uint64_t>();
    tx.to = *Address::FromHex(t["to"].get<std::string>());
    tx.value = Num(t["value"]);
    tx.data = Hex(t["data"].get<std::string>());
    EXPECT_EQ(Hex0x(UnsignedPayload(tx)), c["unsigned_payload"]);
    EXPECT_EQ(SigningHash(tx), HashOf(c["signing_hash"]));
    Bytes key = Hex(c["private_key"]);
    EXPECT_EQ(AddressFromSecretKey(key)->Hex(), c["sender_address"]);
    auto signed_tx = SignTx(tx, key);
    ASSERT_TRUE(signed_tx.ok()) << signed_tx.status();
    EXPECT_EQ(Hex0x(signed_tx->raw), c["raw_signed_tx"]);
    EXPECT_EQ(signed_tx->hash, HashOf(c["tx_hash"]));
    EXPECT_EQ(signed_tx->signature.recid, c["yParity"].get<int>());

    auto decoded = DecodeSignedTx(signed_tx->raw);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->sender.Hex(), c["sender_address"]);
    EXPECT_EQ(decoded->hash, signed_tx->hash);
    EXPECT_EQ(UnsignedPayload(decoded->tx), UnsignedPayload(tx));
  }
}

TEST(Eip155Vectors, SpecAndWeb3Examples) {
  Json v = Load("eip155.json");
  for (const char* name : {"spec_example", "web3js_example"}) {
    const Json& c = v[name];
    const Json& t = c["tx"];
    LegacyTx tx;
    tx.nonce = *Num(t["nonce"]).ToU64();
    tx.gas_price = Num(t["gasPrice"]);
    tx.gas_limit = *Num(t["gasLimit"]).ToU64();
    tx.to = *Address::FromHex(t["to"].get<std::string>());
    tx.value = Num(t["value"]);
    tx.data = Hex(t["data"].get<std::string>());
    tx.chain_id = t["chainId"].get<uint64_t>();
    EXPECT_EQ(LegacySigningHash(tx), HashOf(c["signing_hash"])) << name;
    auto signed_tx = SignLegacyTx(tx, Hex(c["private_key"]));
    ASSERT_TRUE(signed_tx.ok());
    EXPECT_EQ(Hex0x(signed_tx->raw), c["raw_signed_tx"]) << name;
    EXPECT_EQ(signed_tx->hash, HashOf(c["tx_hash"])) << name;
    EXPECT_EQ(AddressFromSecretKey(Hex(c["private_key"]))->Hex(), c["sender_address"]);
  }
}

TEST(Eip155Vectors, RecoverSenders) {
  Json v = Load("eip155.json");
  const Json& cases = v["vitalik_tests"]["cases"];
  ASSERT_EQ(cases.size(), 11u);
  for (const Json& c : cases) {
    Bytes raw = Hex(c["rlp"]);
    EXPECT_EQ(Keccak256::Digest(raw), HashOf(c["tx_hash"]));
    auto item = rlp::Decode(raw);
    ASSERT_TRUE(item.ok()) << item.status();
    ASSERT_EQ(item->items.size(), 9u);
    // Signing hash: the six fields re-encoded, then chainId 1, 0, 0 (EIP-155).
    std::vector<Bytes> fields;
    for (size_t i = 0; i < 6; ++i) fields.push_back(rlp::EncodeBytes(item->items[i].bytes));
    fields.push_back(rlp::EncodeUint(1));
    fields.push_back(rlp::EncodeUint(0));
    fields.push_back(rlp::EncodeUint(0));
    Hash signing = Keccak256::Digest(rlp::EncodeList(fields));
    EXPECT_EQ(signing, HashOf(c["source_hash_field_is_signing_hash"]));
    RecoverableSignature sig;
    sig.recid = static_cast<uint8_t>(*rlp::AsUint64(item->items[6]) - 37);
    sig.r = rlp::AsU256(item->items[7])->be;
    sig.s = rlp::AsU256(item->items[8])->be;
    auto point = RecoverPublicKey(signing, sig);
    ASSERT_TRUE(point.ok());
    EXPECT_EQ(AddressFromPublicKey(*point)->Hex(), c["sender"]);
  }
}

TEST(EcrecoverVectors, RecoverAndRefuseHighS) {
  Json v = Load("ecrecover.json");
  const Json& ok = v["cases"][0];
  Bytes sig65 = Hex(ok["sig65_r_s_recid"]);
  sig65[64] = static_cast<uint8_t>(sig65[64] + 27);
  auto sig = RecoverableSignature::FromRsv(sig65);
  ASSERT_TRUE(sig.ok());
  auto point = RecoverPublicKey(HashOf(ok["hash"]), *sig);
  ASSERT_TRUE(point.ok());
  EXPECT_EQ(Hex0x(*point), ok["expected_pubkey_uncompressed"]);
  EXPECT_EQ(RecoverAddress(HashOf(ok["hash"]), *sig)->Hex(), ok["expected_address"]);

  const Json& high = v["cases"][1];
  Bytes rs = Hex(high["sig64_r_s"]);
  RecoverableSignature hs;
  std::copy(rs.begin(), rs.begin() + 32, hs.r.begin());
  std::copy(rs.begin() + 32, rs.end(), hs.s.begin());
  EXPECT_FALSE(hs.IsLowS());
  EXPECT_EQ(RecoverAddress(HashOf(high["hash"]), hs).status().reason(), "high_s");
}

TEST(Eip191Vectors, PersonalSign) {
  Json v = Load("eip191_personal_sign.json");
  for (const Json& c : v["cases"]) {
    Bytes msg = ledger::ToBytes(c["message_utf8"].get<std::string>());
    Hash h = PersonalMessageHash(msg);
    EXPECT_EQ(h, HashOf(c["message_hash"]));
    if (!c.contains("private_key")) continue;
    Bytes key = Hex(c["private_key"]);
    EXPECT_EQ(AddressFromSecretKey(key)->Hex(), c["address"]);
    auto sig = SignDigest(key, h);
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(Hex0x(sig->Rsv()), c["signature"]);
    EXPECT_EQ(RecoverAddress(h, *sig)->Hex(), c["address"]);
  }
}

TEST(Eip712Vectors, MailExample) {
  Json v = Load("eip712.json");
  const Json& c = v["cases"][0];
  const Json& d = c["typedData"]["domain"];
  Hash domain = Eip712DomainSeparator(d["name"].get<std::string>(), d["version"].get<std::string>(),
                                      U256::FromU64(d["chainId"].get<uint64_t>()),
                                      *Address::FromHex(d["verifyingContract"].get<std::string>()));
  EXPECT_EQ(domain, HashOf(c["domainSeparator"]));
  EXPECT_EQ(Keccak256::Digest(c["encodeType_Mail"].get<std::string>()), HashOf(c["typeHash_Mail"]));
  Hash digest = Eip712Digest(domain, HashOf(c["hashStruct_Mail"]));
  EXPECT_EQ(digest, HashOf(c["digest"]));
  Bytes key = Hex(c["private_key"]);
  auto sig = SignDigest(key, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Hex0x(sig->Rsv()), c["signature_rsv"]);
  EXPECT_EQ(RecoverAddress(digest, *sig)->Hex(), c["address"]);
  // Every case's digest from its domain separator and struct hash.
  for (const Json& each : v["cases"]) {
    EXPECT_EQ(Eip712Digest(HashOf(each["domainSeparator"]), HashOf(each["hashStruct_Mail"])),
              HashOf(each["digest"]));
  }
}

}  // namespace
}  // namespace anchor::evm
