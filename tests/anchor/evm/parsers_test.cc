// RLP, ABI and JSON-RPC answer parsers against hostile input: every refusal
// has its stable reason, and nothing non-canonical is accepted.
#include <gtest/gtest.h>

#include "evm/abi.h"
#include "evm/keccak.h"
#include "evm/rlp.h"
#include "evm/rpc_answer.h"

namespace anchor::evm {
namespace {

Bytes H(std::string_view hex) { return *ledger::HexDecode(hex); }

TEST(Rlp, YellowPaperExamples) {
  // Yellow Paper appendix B and the Ethereum wiki's RLP examples.
  EXPECT_EQ(rlp::EncodeBytes(ledger::AsBytes("dog")), H("83646f67"));
  EXPECT_EQ(rlp::EncodeList({rlp::EncodeBytes(ledger::AsBytes("cat")),
                             rlp::EncodeBytes(ledger::AsBytes("dog"))}),
            H("c88363617483646f67"));
  EXPECT_EQ(rlp::EncodeBytes({}), H("80"));
  EXPECT_EQ(rlp::EncodeList({}), H("c0"));
  EXPECT_EQ(rlp::EncodeUint(0), H("80"));
  EXPECT_EQ(rlp::EncodeUint(15), H("0f"));
  EXPECT_EQ(rlp::EncodeUint(1024), H("820400"));
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  Bytes enc = rlp::EncodeBytes(ledger::AsBytes(lorem));
  EXPECT_EQ(enc[0], 0xb8);
  EXPECT_EQ(enc[1], 56);
  auto back = rlp::Decode(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ledger::AsString(back->bytes), lorem);
}

TEST(Rlp, RefusesNonCanonicalAndTruncated) {
  for (const char* bad : {
           "",                // nothing
           "8100",            // 0x00 must be encoded as itself
           "817f",            // single byte below 0x80 wrapped
           "b80100",          // long form for a 1-byte string
           "b90000",          // length with a leading zero
           "83646f",          // truncated string
           "c883636174",      // truncated list
           "83646f6700",      // trailing byte
           "bf0000000000000001",  // 8-byte length past the end
           "c3820400ff",      // list content beyond its header, trailing
       }) {
    auto r = rlp::Decode(H(bad));
    EXPECT_EQ(r.status().reason(), "bad_rlp") << bad;
  }
  // A list whose child claims more than the list holds.
  EXPECT_FALSE(rlp::Decode(H("c283646f67")).ok());
  // Integers: no leading zero, at most 256 bits.
  EXPECT_FALSE(rlp::AsUint64(*rlp::Decode(H("820004"))).ok());
  EXPECT_FALSE(rlp::AsUint64(*rlp::Decode(H("89010000000000000000"))).ok());
}

TEST(Rlp, DepthIsBounded) {
  Bytes nested = H("c0");
  for (int i = 0; i < rlp::kMaxDepth + 2; ++i) nested = rlp::EncodeList({nested});
  EXPECT_EQ(rlp::Decode(nested).status().reason(), "bad_rlp");
}

TEST(Abi, EncodesDynamicArgumentsAfterTheHead) {
  // Solidity ABI spec example: f(uint,uint32[],bytes10,bytes) has the same
  // offset rules; here a (bytes32, bytes, bytes32[]) tuple checked by hand.
  Hash a;
  a.bytes[31] = 1;
  abi::Encoder enc;
  enc.AddBytes32(a).AddBytes(ledger::AsBytes("abc")).AddBytes32Array({a, a});
  Bytes out = enc.Finish();
  ASSERT_EQ(out.size(), 32u * 3 + 64 + 96);
  abi::Decoder dec(out);
  EXPECT_EQ(*dec.Uint64(1), 96u);        // offset of bytes
  EXPECT_EQ(*dec.Uint64(2), 96u + 64);   // offset of bytes32[]
  EXPECT_EQ(*dec.DynamicBytes(1), ledger::ToBytes("abc"));
  // The well-known selector of ERC-20 transfer(address,uint256).
  EXPECT_EQ(ledger::HexEncode(abi::SelectorOf("transfer(address,uint256)")), "a9059cbb");
}

TEST(Abi, DecoderRefusesBadOffsetsAndPadding) {
  Bytes data(64, 0);
  data[31] = 0x20;
  data[63] = 0xff;  // length 255 past the end
  EXPECT_EQ(abi::Decoder(data).DynamicBytes(0).status().reason(), "bad_abi");
  Bytes word(32, 0);
  word[0] = 1;  // address with non-zero padding
  EXPECT_EQ(abi::Decoder(word).AddressAt(0).status().reason(), "bad_abi");
  EXPECT_EQ(abi::Decoder(word).Uint64(0).status().reason(), "bad_abi");
  EXPECT_EQ(abi::Decoder(Bytes(31, 0)).Bytes32(0).status().reason(), "bad_abi");
}

TEST(RpcAnswer, ResponseEnvelope) {
  EXPECT_EQ(*rpc::ParseResponse(R"({"jsonrpc":"2.0","id":7,"result":"0x1"})", 7), "0x1");
  EXPECT_EQ(rpc::ParseResponse(R"({"jsonrpc":"2.0","id":8,"result":"0x1"})", 7).status().reason(),
            "rpc_id_mismatch");
  for (const char* bad : {"", "[]", "not json", R"({"id":7,"result":"0x1"})",
                          R"({"jsonrpc":"2.0","id":7})",
                          R"({"jsonrpc":"2.0","id":7,"result":1,"error":{}})",
                          R"({"jsonrpc":"2.0","id":7,"error":{"code":"x"}})"}) {
    EXPECT_EQ(rpc::ParseResponse(bad, 7).status().reason(), "rpc_malformed") << bad;
  }
  rpc::RpcError err;
  auto r = rpc::ParseResponse(
      R"({"jsonrpc":"2.0","id":7,"error":{"code":3,"message":"execution reverted","data":"0x12345678"}})",
      7, &err);
  EXPECT_EQ(r.status().reason(), "rpc_error");
  EXPECT_EQ(err.code, 3);
  EXPECT_EQ(err.data, H("12345678"));
}

TEST(RpcAnswer, QuantitiesAreCompact) {
  EXPECT_EQ(*rpc::ParseQuantity("0x0"), 0u);
  EXPECT_EQ(*rpc::ParseQuantity("0x7a69"), 31337u);
  for (const char* bad : {"0x", "0x01", "7a69", "0xzz", "0x10000000000000000"}) {
    EXPECT_EQ(rpc::ParseQuantity(bad).status().reason(), "rpc_malformed") << bad;
  }
  EXPECT_EQ(rpc::ParseQuantity(5).status().reason(), "rpc_malformed");
  EXPECT_EQ(rpc::ParseHash("0x12").status().reason(), "rpc_malformed");
}

rpc::Json ReceiptJson(const Hash& tx) {
  std::string h = Hex0x(tx.view());
  std::string block = "0x" + std::string(64, 'b');
  return {{"transactionHash", h},
          {"blockHash", block},
          {"blockNumber", "0x5"},
          {"status", "0x1"},
          {"gasUsed", "0x5208"},
          {"effectiveGasPrice", "0x3b9aca00"},
          {"from", "0x" + std::string(40, '1')},
          {"to", "0x" + std::string(40, '2')},
          {"contractAddress", nullptr},
          {"logs",
           {{{"address", "0x" + std::string(40, '2')},
             {"topics", {"0x" + std::string(64, 'c')}},
             {"data", "0x"},
             {"blockNumber", "0x5"},
             {"blockHash", block},
             {"transactionHash", h},
             {"logIndex", "0x0"},
             {"removed", false}}}}};
}

TEST(RpcAnswer, ReceiptForAnotherTransactionIsRefused) {
  Hash tx = Keccak256::Digest("tx");
  auto ok = rpc::ParseReceipt(ReceiptJson(tx), tx);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_TRUE(ok->has_value());
  EXPECT_TRUE((*ok)->success);
  EXPECT_EQ((*ok)->block_number, 5u);
  EXPECT_EQ((*ok)->logs.size(), 1u);
  EXPECT_EQ(rpc::ParseReceipt(ReceiptJson(tx), Keccak256::Digest("other")).status().reason(),
            "rpc_receipt_mismatch");
  EXPECT_FALSE(rpc::ParseReceipt(nullptr, tx)->has_value());  // not mined yet
  auto bad_status = ReceiptJson(tx);
  bad_status["status"] = "0x2";
  EXPECT_EQ(rpc::ParseReceipt(bad_status, tx).status().reason(), "rpc_malformed");
  auto foreign_log = ReceiptJson(tx);
  foreign_log["logs"][0]["transactionHash"] = "0x" + std::string(64, 'd');
  EXPECT_EQ(rpc::ParseReceipt(foreign_log, tx).status().reason(), "rpc_malformed");
  auto missing = ReceiptJson(tx);
  missing.erase("gasUsed");
  EXPECT_EQ(rpc::ParseReceipt(missing, tx).status().reason(), "rpc_malformed");
}

}  // namespace
}  // namespace anchor::evm
