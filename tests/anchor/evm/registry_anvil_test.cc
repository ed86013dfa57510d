// AnchorRegistry on a real anvil: the happy path and every refusal the
// contract owes (fork, replay, shrinking and equal sizes, wrong chain, wrong
// signer, re-keying only by the current key's statement, the owner's
// poisoning sequence, high s, a statement for another contract), plus the
// client-side refusals (wrong chain id, wrong code at the address, a mined
// but reverted transaction).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "evm/transaction.h"
#include "registry_fixture.h"
#include "ledger_test_paths.h"

namespace anchor::evm::testing {
namespace {

TEST_F(RegistryTest, AnchorsGrowingConsistentHeads) {
  DeployAndRegister();
  ASSERT_TRUE(registry::CheckCode(*rpc_, contract_).ok());
  Tree tree;
  tree.Grow(100);
  // The contract's own digest is the one the C++ side signs (registry-statement.md).
  registry::Statement probe = StatementAt(tree, 5, Keccak256::Digest("map"));
  Bytes call = abi::Encoder()
                   .AddBytes32(probe.log_id)
                   .AddUint(probe.tree_size)
                   .AddBytes32(probe.root_hash)
                   .AddBytes32(probe.map_root)
                   .Finish(abi::SelectorOf("statementDigest(bytes32,uint64,bytes32,bytes32)"));
  auto onchain = rpc_->CallContract(contract_, call, rpc::BlockTag{});
  ASSERT_TRUE(onchain.ok()) << onchain.status();
  EXPECT_EQ(Hex0x(*onchain), Hex0x(registry::StatementDigest({kChainId, contract_}, probe).view()));

  auto first = AnchorTo(tree, 0, 5);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->event.statement.tree_size, 5u);
  EXPECT_EQ(first->event.notary, *AddressFromSecretKey(notary_key_));
  Hash map_root = Keccak256::Digest("map root");
  for (uint64_t size : {8u, 13u, 64u, 100u}) {
    uint64_t from = registry::Latest(*rpc_, contract_, log_id_)->tree_size;
    auto next = AnchorTo(tree, from, size, map_root);
    ASSERT_TRUE(next.ok()) << size << ": " << next.status();
    EXPECT_EQ(next->event.statement.map_root, map_root);
    auto head = registry::Latest(*rpc_, contract_, log_id_);
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->tree_size, size);
    EXPECT_EQ(head->root_hash, tree.Root(size));
    ::testing::Test::RecordProperty("gas_anchor_" + std::to_string(size),
                                    std::to_string(next->receipt.gas_used));
  }
  ::testing::Test::RecordProperty("gas_first_anchor", std::to_string(first->receipt.gas_used));
}

TEST_F(RegistryTest, RefusesAForkEvenWithTheNotarysSignature) {
  DeployAndRegister();
  Tree tree, fork;
  tree.Grow(20);
  fork.Grow(3);
  fork.Grow(20, "forked");  // agrees on the first 3 leaves only
  ASSERT_TRUE(AnchorTo(tree, 0, 10).ok());
  // A valid proof within the fork, signed by the notary: still not consistent
  // with the anchored head.
  auto forked = AnchorTo(fork, 10, 20);
  EXPECT_EQ(forked.status().reason(), "registry_inconsistent_head") << forked.status();
  // The honest proof with the fork's root, and a truncated proof.
  registry::Statement s = StatementAt(fork, 20);
  EXPECT_EQ(registry::Anchor(*payer_, contract_, s, tree.Proof(10, 20), Sign(s, notary_key_))
                .status().reason(),
            "registry_inconsistent_head");
  registry::Statement honest = StatementAt(tree, 20);
  auto proof = tree.Proof(10, 20);
  proof.pop_back();
  EXPECT_EQ(registry::Anchor(*payer_, contract_, honest, proof, Sign(honest, notary_key_))
                .status().reason(),
            "registry_inconsistent_head");
  EXPECT_EQ(registry::Latest(*rpc_, contract_, log_id_)->tree_size, 10u);
  EXPECT_TRUE(AnchorTo(tree, 10, 20).ok());
}

TEST_F(RegistryTest, RefusesReplayShrinkingAndEqualSizes) {
  DeployAndRegister();
  Tree tree, other;
  tree.Grow(30);
  other.Grow(30, "other");
  ASSERT_TRUE(AnchorTo(tree, 0, 7).ok());
  ASSERT_TRUE(AnchorTo(tree, 7, 30).ok());
  EXPECT_EQ(AnchorTo(tree, 7, 30).status().reason(), "registry_size_not_growing");  // replay
  EXPECT_EQ(AnchorTo(tree, 0, 7).status().reason(), "registry_size_not_growing");   // old one
  EXPECT_EQ(AnchorTo(tree, 7, 20).status().reason(), "registry_size_not_growing");  // shrinking
  registry::Statement same_size = StatementAt(other, 30);
  EXPECT_EQ(registry::Anchor(*payer_, contract_, same_size, {}, Sign(same_size, notary_key_))
                .status().reason(),
            "registry_size_not_growing");
}

TEST_F(RegistryTest, RefusesWrongChainWrongContractAndWrongSigner) {
  DeployAndRegister();
  Tree tree;
  tree.Grow(10);
  registry::Statement s = StatementAt(tree, 10);
  auto anchor_with = [&](const Bytes& sig) {
    return registry::Anchor(*payer_, contract_, s, {}, sig).status().reason();
  };
  EXPECT_EQ(anchor_with(Sign(s, notary_key_, 1)), "registry_wrong_signer");
  Address elsewhere = *Address::FromHex("0x000000000000000000000000000000000000dead");
  EXPECT_EQ(anchor_with(Sign(s, notary_key_, kChainId, elsewhere)), "registry_wrong_signer");
  EXPECT_EQ(anchor_with(Sign(s, KeyOf("not the notary"))), "registry_wrong_signer");
  Bytes bad_v = Sign(s, notary_key_);
  bad_v[64] = 29;
  EXPECT_EQ(anchor_with(bad_v), "registry_bad_signature");
  EXPECT_EQ(anchor_with(Bytes(64, 1)), "registry_bad_signature");
  registry::Statement unknown = s;
  unknown.log_id = registry::LogIdForOrigin("unregistered.test/log");
  EXPECT_EQ(registry::Anchor(*payer_, contract_, unknown, {}, Sign(unknown, notary_key_))
                .status().reason(),
            "registry_unknown_log");
  EXPECT_TRUE(registry::Anchor(*payer_, contract_, s, {}, Sign(s, notary_key_)).ok());
}

TEST_F(RegistryTest, RefusesHighS) {
  DeployAndRegister();
  Tree tree;
  tree.Grow(4);
  registry::Statement s = StatementAt(tree, 4);
  Bytes sig = Sign(s, notary_key_);
  // (r, n - s, v ^ 1) is the other valid signature of the same digest (EIP-2).
  static constexpr uint8_t kOrder[32] = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
      0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int v = kOrder[i] - sig[32 + static_cast<size_t>(i)] - borrow;
    borrow = v < 0 ? 1 : 0;
    sig[32 + static_cast<size_t>(i)] = static_cast<uint8_t>(v + (borrow ? 256 : 0));
  }
  sig[64] = sig[64] == 27 ? 28 : 27;
  auto high = RecoverableSignature::FromRsv(sig);
  ASSERT_TRUE(high.ok());
  ASSERT_FALSE(high->IsLowS());
  // It does recover to the notary: only the low-s rule refuses it.
  EXPECT_EQ(AddressFromPublicKey(*RecoverPublicKey(
                registry::StatementDigest({kChainId, contract_}, s), *high))
                .value(),
            *AddressFromSecretKey(notary_key_));
  EXPECT_EQ(registry::Anchor(*payer_, contract_, s, {}, sig).status().reason(), "registry_high_s");
}

TEST_F(RegistryTest, RekeyNeedsAStatementByTheCurrentKeyUsableOnce) {
  DeployAndRegister();
  Tree tree;
  tree.Grow(9);
  ASSERT_TRUE(AnchorTo(tree, 0, 3).ok());
  Bytes new_key = KeyOf("rotated notary key");
  Address new_notary = *AddressFromSecretKey(new_key);
  auto stranger = Payer::Create(*rpc_, kChainId, *ledger::HexDecode(ledger::testing::kAnvilKey1));
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ(registry::Register(**stranger, contract_, log_id_, new_notary).status().reason(),
            "registry_not_owner");
  EXPECT_EQ(registry::Register(*payer_, contract_, log_id_, new_notary).status().reason(),
            "registry_already_registered");
  ASSERT_EQ(*registry::RekeyNonce(*rpc_, contract_, log_id_), 0u);
  registry::RekeyStatement r{log_id_, new_notary.bytes, 0};
  // The contract's digest is the one the C++ side signs (registry-statement.md §6).
  Bytes call = abi::Encoder()
                   .AddBytes32(r.log_id)
                   .AddAddress(new_notary)
                   .AddUint(r.nonce)
                   .Finish(abi::SelectorOf("rekeyDigest(bytes32,address,uint32)"));
  auto onchain = rpc_->CallContract(contract_, call, rpc::BlockTag{});
  ASSERT_TRUE(onchain.ok()) << onchain.status();
  EXPECT_EQ(Hex0x(*onchain), Hex0x(registry::RekeyDigest({kChainId, contract_}, r).view()));
  // Not signed by the current key (the owner's, the new key's own), or for
  // another registry: refused, whoever sends it.
  Bytes owner_key = *ledger::HexDecode(ledger::testing::kAnvilKey0);
  EXPECT_EQ(registry::Rekey(*payer_, contract_, r, SignRekey(r, owner_key)).status().reason(),
            "registry_wrong_signer");
  EXPECT_EQ(registry::Rekey(*payer_, contract_, r, SignRekey(r, new_key)).status().reason(),
            "registry_wrong_signer");
  EXPECT_EQ(registry::Rekey(*payer_, contract_, r, SignRekey(r, notary_key_, 1)).status().reason(),
            "registry_wrong_signer");
  registry::RekeyStatement later = r;
  later.nonce = 1;  // a statement for a later hand-over is not valid yet
  EXPECT_EQ(registry::Rekey(*payer_, contract_, later, SignRekey(later, notary_key_))
                .status()
                .reason(),
            "registry_wrong_signer");
  // The current key's statement, sent by anyone: accepted once.
  const Bytes handover = SignRekey(r, notary_key_);
  auto rekeyed = registry::Rekey(**stranger, contract_, r, handover);
  ASSERT_TRUE(rekeyed.ok()) << rekeyed.status();
  ASSERT_EQ(rekeyed->logs.size(), 1u);
  EXPECT_EQ(rekeyed->logs[0].topics[0], registry::NotaryRekeyedTopic());
  EXPECT_EQ(*registry::RekeyNonce(*rpc_, contract_, log_id_), 1u);
  EXPECT_EQ(registry::Rekey(*payer_, contract_, r, handover).status().reason(),
            "registry_wrong_signer");  // replayed: the nonce moved on
  // The old key's statements are refused, the new key's accepted.
  EXPECT_EQ(AnchorTo(tree, 3, 9).status().reason(), "registry_wrong_signer");
  registry::Statement s = StatementAt(tree, 9);
  auto ok = registry::Anchor(*payer_, contract_, s, tree.Proof(3, 9), Sign(s, new_key));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->event.notary, new_notary);
}

// The owner's poisoning sequence (re-key the log to its own key, anchor a
// fake extension of the anchored head, re-key back) is refused at its first
// step, and the real notary goes on anchoring.
TEST_F(RegistryTest, TheOwnerCannotPoisonTheAnchoredHead) {
  DeployAndRegister();
  Tree tree, fake;
  tree.Grow(9);
  fake.Grow(7);
  fake.Grow(9, "junk");  // extends the 7-leaf prefix with junk
  ASSERT_TRUE(AnchorTo(tree, 0, 7).ok());
  Bytes attacker = *ledger::HexDecode(ledger::testing::kAnvilKey0);  // the owner's own key
  Address attacker_address = *AddressFromSecretKey(attacker);
  // The old owner-only call no longer exists.
  Bytes old_call = abi::Encoder().AddBytes32(log_id_).AddAddress(attacker_address).Finish(
      abi::SelectorOf("rekey(bytes32,address)"));
  auto sent = payer_->SendAndWait(contract_, old_call, registry::RevertReason);
  EXPECT_FALSE(sent.ok());
  // The new call needs the notary's statement; the owner can only sign its own.
  registry::RekeyStatement r{log_id_, attacker_address.bytes, 0};
  EXPECT_EQ(registry::Rekey(*payer_, contract_, r, SignRekey(r, attacker)).status().reason(),
            "registry_wrong_signer");
  // So the fake extension, signed by the owner's key, is refused...
  registry::Statement s{log_id_, 9, fake.Root(9), {}};
  EXPECT_EQ(registry::Anchor(*payer_, contract_, s, fake.Proof(7, 9), Sign(s, attacker))
                .status()
                .reason(),
            "registry_wrong_signer");
  // ...and the real (9, R9) is anchored.
  auto real = AnchorTo(tree, 7, 9);
  ASSERT_TRUE(real.ok()) << real.status();
  auto head = registry::Latest(*rpc_, contract_, log_id_);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->notary, *AddressFromSecretKey(notary_key_));
  EXPECT_EQ(head->root_hash, tree.Root(9));
}

TEST_F(RegistryTest, ClientRefusesWrongChainAndWrongCode) {
  DeployAndRegister();
  auto wrong = Payer::Create(*rpc_, 1, *ledger::HexDecode(ledger::testing::kAnvilKey0));
  EXPECT_EQ(wrong.status().reason(), "wrong_chain");
  EXPECT_EQ(rpc_->ExpectChainId(5).reason(), "wrong_chain");
  EXPECT_EQ(registry::CheckCode(*rpc_, payer_->address()).reason(), "registry_code_mismatch");
  Address empty = *Address::FromHex("0x00000000000000000000000000000000000000aa");
  EXPECT_EQ(registry::CheckCode(*rpc_, empty).reason(), "registry_code_mismatch");
  // Latest() at a contract that is not a registry is refused too.
  EXPECT_FALSE(registry::Latest(*rpc_, empty, log_id_).ok());
}

TEST_F(RegistryTest, AnAnchorWhoseBlockDisappearsIsNotConfirmedAndCanBeResubmitted) {
  DeployAndRegister();
  Tree tree;
  tree.Grow(12);
  ASSERT_TRUE(AnchorTo(tree, 0, 4).ok());
  auto snapshot = rpc_->Call("evm_snapshot", rpc::Json::array());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  registry::Statement s = StatementAt(tree, 12);
  Bytes call = registry::AnchorCall(s, tree.Proof(4, 12), Sign(s, notary_key_));
  auto sent = payer_->Send(contract_, call);
  ASSERT_TRUE(sent.ok()) << sent.status();
  // Automine is asynchronous: wait for the receipt first (without one,
  // WaitForConfirmations reports tx_not_on_chain), then for the depth.
  auto mined = payer_->WaitForReceipt(sent->hash);
  ASSERT_TRUE(mined.ok()) << mined.status();
  ASSERT_TRUE(payer_->WaitForConfirmations(sent->hash, 1).ok());
  // Three more blocks: depth 4 reached.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rpc_->Call("evm_mine", rpc::Json::array()).ok());
  EXPECT_TRUE(payer_->WaitForConfirmations(sent->hash, 4).ok());
  // The chain goes back to before the anchor: the anchor is no longer on it.
  ASSERT_TRUE(rpc_->Call("evm_revert", rpc::Json::array({*snapshot})).ok());
  EXPECT_EQ(payer_->WaitForConfirmations(sent->hash, 1).status().reason(), "tx_not_on_chain");
  EXPECT_EQ(registry::Latest(*rpc_, contract_, log_id_)->tree_size, 4u);
  // Re-submitting the same statement anchors it again.
  auto again = registry::Anchor(*payer_, contract_, s, tree.Proof(4, 12), Sign(s, notary_key_));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(registry::Latest(*rpc_, contract_, log_id_)->tree_size, 12u);
}

class ManualMiningTest : public RegistryTest {
 protected:
  void SetUp() override { Start({"--no-mining"}); }
  void Mine() { ASSERT_TRUE(rpc_->Call("evm_mine", rpc::Json::array()).ok()); }
};

TEST_F(ManualMiningTest, AMinedButRevertedAnchorIsNotReportedAsAnchored) {
  auto deploy = payer_->Send(std::nullopt, registry::CreationCode());
  ASSERT_TRUE(deploy.ok()) << deploy.status();
  Mine();
  auto receipt = payer_->WaitForReceipt(deploy->hash);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  contract_ = *receipt->contract_address;
  auto reg =
      payer_->Send(contract_, registry::RegisterCall(log_id_, *AddressFromSecretKey(notary_key_)));
  ASSERT_TRUE(reg.ok()) << reg.status();
  Mine();
  ASSERT_TRUE(payer_->WaitForReceipt(reg->hash).ok());

  // Two anchors of the same size in one block: the payer's simulation
  // refuses the second (the node simulates against pending state), so it is
  // signed and sent by hand, as a racing second sender would; mined after
  // the first, it reverts.
  Tree tree;
  tree.Grow(6);
  registry::Statement s = StatementAt(tree, 6);
  Bytes call = registry::AnchorCall(s, {}, Sign(s, notary_key_));
  auto a = payer_->Send(contract_, call);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(payer_->Send(contract_, call).status().reason(), "tx_reverted");
  auto fees = rpc_->SuggestFees();
  ASSERT_TRUE(fees.ok()) << fees.status();
  Eip1559Tx raw;
  raw.chain_id = kChainId;
  raw.nonce = *rpc_->GetTransactionCount(payer_->address(), rpc::BlockTag{{}, "pending"});
  raw.max_priority_fee_per_gas = fees->priority_fee;
  raw.max_fee_per_gas = U256::FromU64(*fees->base_fee.ToU64() * 2 + *fees->priority_fee.ToU64());
  raw.gas_limit = 300000;
  raw.to = contract_;
  raw.data = call;
  auto b = SignTx(raw, *ledger::HexDecode(ledger::testing::kAnvilKey0));
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(rpc_->SendRawTransaction(b->raw).ok());
  Mine();
  auto ra = payer_->WaitForReceipt(a->hash);
  ASSERT_TRUE(ra.ok()) << ra.status();
  EXPECT_TRUE(registry::FindAnchoredEvent(*ra, contract_, s).ok());
  EXPECT_EQ(payer_->WaitForReceipt(b->hash).status().reason(), "tx_reverted");
}

TEST(RegistryContract, CommittedBytecodeIsWhatTheCompilerProduces) {
  const std::string src = std::string(LEDGER_SOURCE_DIR) + "/anchor/contracts";
  const std::string out = ::testing::TempDir() + "/registry-recompile";
  ASSERT_TRUE(std::filesystem::exists(ledger::testing::NpmBin("solcjs")))
      << "solc-js is missing: run ops/setup";
  int rc = std::system((src + "/compile.sh " + out).c_str());
  ASSERT_EQ(rc, 0);
  for (const char* f : {"AnchorRegistry.abi.json", "AnchorRegistry.bin", "AnchorRegistry.bin-runtime"}) {
    std::ifstream a(src + "/" + f), b(out + "/" + f);
    std::string committed((std::istreambuf_iterator<char>(a)), {});
    std::string fresh((std::istreambuf_iterator<char>(b)), {});
    EXPECT_FALSE(committed.empty()) << f;
    EXPECT_EQ(committed, fresh) << f << " differs from a fresh compile: run anchor/contracts/compile.sh";
  }
  // The embedded code is the committed code.
  std::ifstream bin(src + "/AnchorRegistry.bin-runtime");
  std::string hex;
  bin >> hex;
  EXPECT_EQ(ledger::HexEncode(registry::RuntimeCode()), hex);
}

}  // namespace
}  // namespace anchor::evm::testing
