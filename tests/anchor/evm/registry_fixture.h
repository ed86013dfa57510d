// A deployed AnchorRegistry on a real anvil, a registered log, a notary key
// and an in-memory Merkle tree to take heads and consistency proofs from.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "evm/keccak.h"
#include "evm/registry_client.h"
#include "evm/signing.h"
#include "ledger/merkle/merkle.h"
#include "support/anvil.h"

namespace anchor::evm::testing {

inline Bytes KeyOf(std::string_view label) {
  Hash h = Keccak256::Digest(label);
  return Bytes(h.bytes.begin(), h.bytes.end());
}

// Leaves "<tag> 0", "<tag> 1", ...; two tags give two trees that agree on
// nothing, a tag change from some index on gives a fork.
class Tree {
 public:
  void Append(const std::string& leaf) {
    leaves_.push_back(ledger::merkle::LeafHash(ledger::AsBytes(leaf)));
  }
  void Grow(uint64_t size, const std::string& tag = "entry") {
    while (leaves_.size() < size) Append(tag + " " + std::to_string(leaves_.size()));
  }
  Hash Root(uint64_t size) const {
    return ledger::merkle::RootFromLeafHashes(std::span(leaves_).first(size));
  }
  std::vector<Hash> Proof(uint64_t from, uint64_t to) const {
    if (from == 0) return {};
    auto p = ledger::merkle::ConsistencyProof(from, to, [this](uint32_t level, uint64_t index) {
      const uint64_t begin = index << level, end = (index + 1) << level;
      return ledger::Result<Hash>(ledger::merkle::RootFromLeafHashes(
          std::span(leaves_).subspan(begin, end - begin)));
    });
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : std::vector<Hash>{};
  }

 private:
  std::vector<Hash> leaves_;
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(std::vector<std::string> anvil_args) {
    anvil_ = std::make_unique<ledger::testing::Anvil>(std::move(anvil_args));
    ASSERT_TRUE(anvil_->ok()) << anvil_->error();
    auto client = rpc::Client::Create(anvil_->url());
    ASSERT_TRUE(client.ok()) << client.status();
    rpc_ = std::move(client).value();
    auto payer = Payer::Create(*rpc_, kChainId, *ledger::HexDecode(ledger::testing::kAnvilKey0));
    ASSERT_TRUE(payer.ok()) << payer.status();
    payer_ = std::move(payer).value();
  }

  void DeployAndRegister() {
    auto contract = registry::Deploy(*payer_);
    ASSERT_TRUE(contract.ok()) << contract.status();
    contract_ = *contract;
    auto reg = registry::Register(*payer_, contract_, log_id_, *AddressFromSecretKey(notary_key_));
    ASSERT_TRUE(reg.ok()) << reg.status();
  }

  registry::Statement StatementAt(const Tree& tree, uint64_t size, Hash map_root = {}) const {
    return {log_id_, size, tree.Root(size), map_root};
  }

  Bytes Sign(const registry::Statement& s, ByteView key, uint64_t chain_id = kChainId,
             std::optional<Address> contract = std::nullopt) const {
    registry::Domain d{chain_id, contract.value_or(contract_)};
    auto sig = SignDigest(key, registry::StatementDigest(d, s));
    EXPECT_TRUE(sig.ok());
    auto rsv = sig->Rsv();
    return Bytes(rsv.begin(), rsv.end());
  }

  Bytes SignRekey(const registry::RekeyStatement& r, ByteView key,
                  uint64_t chain_id = kChainId) const {
    auto sig = SignDigest(key, registry::RekeyDigest({chain_id, contract_}, r));
    EXPECT_TRUE(sig.ok());
    auto rsv = sig->Rsv();
    return Bytes(rsv.begin(), rsv.end());
  }

  ledger::Result<registry::Anchoring> AnchorTo(const Tree& tree, uint64_t from, uint64_t to,
                                               Hash map_root = {}) {
    registry::Statement s = StatementAt(tree, to, map_root);
    return registry::Anchor(*payer_, contract_, s, tree.Proof(from, to), Sign(s, notary_key_));
  }

  static constexpr uint64_t kChainId = 31337;
  std::unique_ptr<ledger::testing::Anvil> anvil_;
  std::unique_ptr<rpc::Client> rpc_;
  std::unique_ptr<Payer> payer_;
  Address contract_;
  Hash log_id_ = registry::LogIdForOrigin("registry.test/log");
  Bytes notary_key_ = KeyOf("notary registry key");
};

}  // namespace anchor::evm::testing
