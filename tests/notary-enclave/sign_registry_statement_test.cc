// SignRegistryStatement: the notary signs the EIP-712 registry statement
// (schemas/formats/registry-statement.md) for its current head only, with
// the chain and contract of the approved manifest and the map root of its
// head's map line; the signature recovers to the registry key it reported
// at provisioning.
#include <gtest/gtest.h>

#include "enclave_fixture.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/state_map.h"
#include "ledger/trust/registry_statement.h"

namespace notary::testing {
namespace {

namespace reg = ledger::registry;

constexpr uint64_t kChainId = 31337;

class RegistryStatementTest : public EnclaveFixture {
 protected:
  RegistryStatementTest() {
    contract_.fill(0x5f);
    contract_[19] = 0xa3;
    ceremony_.manifest.registry_chain_id = kChainId;
    ceremony_.manifest.registry_address = contract_;
    ceremony_.manifest_bytes = ledger::EncodeManifest(ceremony_.manifest).value();
    ceremony_.digest = ledger::ManifestDigest(ceremony_.manifest_bytes);
  }

  pb::SignRegistryStatement Ask(uint64_t size, const ledger::Hash& root) const {
    pb::SignRegistryStatement r;
    r.set_tree_size(size);
    r.set_root_hash(std::string(ledger::AsString(root.view())));
    return r;
  }

  ledger::EthAddress contract_{};
};

TEST_F(RegistryStatementTest, SignsTheCurrentHeadForTheManifestsRegistry) {
  auto e = Boot();
  pb::Provisioned provisioned = Provision(*e);
  pb::Restore genesis;
  genesis.set_genesis(true);
  auto restored = e->Restore(genesis);
  ASSERT_TRUE(restored.ok()) << restored.status();
  host_.Add(restored->boot_entry());
  auto appended = e->Append(AppendRequest(Stamped(1, 3)));
  ASSERT_TRUE(appended.ok()) << appended.status();
  host_.Add(*appended);

  auto signed_statement = e->SignRegistryStatement(Ask(host_.size(), host_.Root()));
  ASSERT_TRUE(signed_statement.ok()) << signed_statement.status();
  const pb::RegistryStatementSignature& got = *signed_statement;
  EXPECT_EQ(got.tree_size(), host_.size());
  EXPECT_EQ(got.root_hash(), host_.RootBytes());
  EXPECT_EQ(got.map_root(), std::string(32, '\0'));  // no state map
  EXPECT_EQ(got.chain_id(), kChainId);
  EXPECT_EQ(got.contract(), std::string(contract_.begin(), contract_.end()));
  EXPECT_EQ(got.checkpoint_note(), host_.checkpoint_note);
  ASSERT_EQ(got.signature().size(), 65u);

  reg::Statement s{reg::LogIdForOrigin(kOrigin), host_.size(), host_.Root(), ledger::Hash{}};
  auto signer = reg::RecoverStatementSigner(kChainId, contract_, s, ledger::AsBytes(got.signature()));
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto registry_address =
      ledger::EthAddressFromPublicKey(ledger::AsBytes(provisioned.registry_public_key()));
  ASSERT_TRUE(registry_address.ok());
  EXPECT_EQ(*signer, *registry_address);
  // Through Handle too (the frame path the host uses).
  pb::HostRequest request;
  *request.mutable_sign_registry_statement() = Ask(host_.size(), host_.Root());
  EXPECT_TRUE(e->Handle(request).has_registry_statement_signature());
}

TEST_F(RegistryStatementTest, NeverSignsASizeOrRootItDoesNotHold) {
  auto e = Serving();
  const uint64_t boot_size = host_.size();
  const ledger::Hash boot_root = host_.Root();
  auto appended = e->Append(AppendRequest(Stamped(1, 2)));
  ASSERT_TRUE(appended.ok()) << appended.status();
  host_.Add(*appended);
  // An older head of the same log, a fork at the current size, a larger size.
  EXPECT_REFUSED(e->SignRegistryStatement(Ask(boot_size, boot_root)), "head_mismatch");
  ledger::Hash fork = host_.Root();
  fork.bytes[0] ^= 1;
  EXPECT_REFUSED(e->SignRegistryStatement(Ask(host_.size(), fork)), "head_mismatch");
  EXPECT_REFUSED(e->SignRegistryStatement(Ask(host_.size() + 1, host_.Root())), "head_mismatch");
  pb::SignRegistryStatement short_root = Ask(host_.size(), host_.Root());
  short_root.mutable_root_hash()->pop_back();
  EXPECT_REFUSED(e->SignRegistryStatement(short_root), "bad_hash_length");
  pb::HostRequest request;
  *request.mutable_sign_registry_statement() = Ask(boot_size, boot_root);
  pb::NotaryResponse response = e->Handle(request);
  ASSERT_TRUE(response.has_error());
  EXPECT_EQ(response.error().reason(), "head_mismatch");
}

TEST_F(RegistryStatementTest, RefusedBeforeServing) {
  auto e = Boot();
  EXPECT_REFUSED(e->SignRegistryStatement(Ask(0, ledger::Hash{})), "not_serving");
  Provision(*e);
  EXPECT_REFUSED(e->SignRegistryStatement(Ask(0, ledger::Hash{})), "not_serving");
}

TEST_F(RegistryStatementTest, TheMapRootIsTheHeadsMapLine) {
  auto e = Boot();
  Provision(*e);
  pb::Restore genesis;
  genesis.set_genesis(true);
  genesis.set_state_map(true);
  auto restored = e->Restore(genesis);
  ASSERT_TRUE(restored.ok()) << restored.status();
  host_.Add(restored->boot_entry());
  auto got = e->SignRegistryStatement(Ask(host_.size(), host_.Root()));
  ASSERT_TRUE(got.ok()) << got.status();
  auto note = ledger::note::Parse(host_.checkpoint_note).value();
  auto cp = ledger::Checkpoint::FromText(note.text).value();
  ledger::Hash map_line = ledger::state_map::FindRoot(cp.extensions).value().value();
  EXPECT_NE(map_line, ledger::Hash{});
  EXPECT_EQ(got->map_root(), std::string(ledger::AsString(map_line.view())));
  reg::Statement s{reg::LogIdForOrigin(kOrigin), host_.size(), host_.Root(), map_line};
  EXPECT_TRUE(
      reg::RecoverStatementSigner(kChainId, contract_, s, ledger::AsBytes(got->signature())).ok());
}

class NoRegistryTest : public EnclaveFixture {};

TEST_F(NoRegistryTest, AManifestWithoutARegistryGetsNoStatement) {
  auto e = Serving();
  pb::SignRegistryStatement r;
  r.set_tree_size(host_.size());
  r.set_root_hash(host_.RootBytes());
  EXPECT_REFUSED(e->SignRegistryStatement(r), "registry_not_configured");
}

}  // namespace
}  // namespace notary::testing
