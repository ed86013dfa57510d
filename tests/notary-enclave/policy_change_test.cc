// ChangePolicy: operator-approved policy versions, recorded as POLICY_CHANGED
// entries, enforced at once, and bound to every checkpoint so that a
// restarted notary refuses a stale policy.
#include <gtest/gtest.h>

#include "enclave_fixture.h"
#include "ledger/note/checkpoint.h"
#include "ledger/record/leaf.h"
#include "ledger/trust/policy.h"

namespace notary::testing {
namespace {

using ledger::EventKind;

class PolicyChangeTest : public EnclaveFixture {
 protected:
  PolicyChangeTest()
      : newcomer_(ledger::note::NewEd25519Signer("svc-2",
                                                 ledger::Ed25519PrivateKey::Generate().value())) {}

  // Version `version`: svc-2 only (svc-1 of the manifest is dropped).
  ledger::Policy NextPolicy(uint64_t version) const {
    return ledger::Policy{
        version, {{"svc-2", newcomer_->VerifierKey(), {EventKind::kKeyCreated}, {"key/"}}}};
  }

  pb::ChangePolicy Request(const ledger::Policy& p, size_t approvals) const {
    pb::ChangePolicy r;
    r.set_expected_size(host_.size());
    r.set_expected_root(host_.RootBytes());
    ledger::Bytes enc = ledger::EncodePolicy(p).value();
    r.set_policy(std::string(ledger::AsString(enc)));
    ledger::Hash digest = ledger::PolicyDigest(enc);
    for (size_t i = 0; i < approvals; ++i) {
      auto a = ledger::ApprovePolicy(ceremony_.digest, digest, "op-" + std::to_string(i),
                                     ceremony_.operators[i])
                   .value();
      r.add_approvals(std::string(ledger::AsString(ledger::EncodeApproval(a).value())));
    }
    return r;
  }

  ledger::SubmittedEvent ByNewcomer(uint64_t n) const {
    ledger::Bytes event = Ceremony::EventBytes(n);
    return {event, ledger::MakeStamp(kOrigin, event, *newcomer_).value()};
  }

  std::vector<std::string> Extensions(const std::string& note) const {
    return ledger::Checkpoint::FromText(note.substr(0, note.find("\n\n") + 1)).value().extensions;
  }

  std::unique_ptr<ledger::note::Signer> newcomer_;
};

TEST_F(PolicyChangeTest, EveryCheckpointNamesTheManifestPolicyAtFirst) {
  auto e = Serving();
  std::string line0 = ledger::PolicyExtensionLine(ledger::GenesisPolicy(ceremony_.manifest)).value();
  EXPECT_EQ(Extensions(host_.checkpoint_note), std::vector<std::string>{line0});
}

TEST_F(PolicyChangeTest, KApprovalsChangeThePolicyThroughALogEntry) {
  auto e = Serving();
  ledger::Policy v1 = NextPolicy(1);
  auto changed = e->ChangePolicy(Request(v1, 2));
  ASSERT_TRUE(changed.ok()) << changed.status();
  host_.Add(*changed);
  ASSERT_EQ(changed->leaves_size(), 1);
  // The entry: POLICY_CHANGED, old and new digests, stamped by the log key.
  ledger::Leaf leaf = ledger::DecodeLeaf(ledger::AsBytes(changed->leaves(0))).value();
  ledger::Event ev = ledger::DecodeEvent(leaf.event).value();
  ledger::Hash d0 = ledger::PolicyDigest(ledger::GenesisPolicy(ceremony_.manifest)).value();
  ledger::Hash d1 = ledger::PolicyDigest(v1).value();
  EXPECT_EQ(ev.kind, EventKind::kPolicyChanged);
  EXPECT_EQ(ev.subject, std::string("notary-policy/") + kOrigin);
  EXPECT_EQ(ev.prior_state_hash, d0);
  EXPECT_EQ(ev.new_state_hash, d1);
  EXPECT_EQ(ev.payload_digest, ledger::Sha256::Digest(ledger::EncodePolicy(v1).value()));
  EXPECT_FALSE(leaf.stamp.empty());
  EXPECT_EQ(Extensions(changed->checkpoint_note()),
            std::vector<std::string>{ledger::PolicyExtensionLine(1, d1)});
  // svc-1 was dropped; svc-2 may append KEY_CREATED only.
  EXPECT_REFUSED(e->Append(AppendRequest({ceremony_.Stamped(10)})), "unknown_submitter");
  auto ok = e->Append(AppendRequest({ByNewcomer(11)}));
  ASSERT_TRUE(ok.ok()) << ok.status();
  host_.Add(*ok);
  ledger::Bytes rotated = Ceremony::EventBytes(12, 0, EventKind::kKeyRotated);
  ledger::SubmittedEvent bad_kind{rotated, ledger::MakeStamp(kOrigin, rotated, *newcomer_).value()};
  EXPECT_REFUSED(e->Append(AppendRequest({bad_kind})), "unauthorized_kind");
}

// A policy that grants the notary's own records does not decode: the notary
// refuses it before any approval counts (ledger/record/ownership.h).
TEST_F(PolicyChangeTest, RefusesAPolicyThatGrantsTheNotarysRecords) {
  auto e = Serving();
  auto encode = [&](uint16_t kind, const std::string& prefix) {
    ledger::Bytes out = ledger::ToBytes(ledger::kPolicyMagic);
    ledger::AppendU8(out, ledger::kPolicyFormatVersion);
    ledger::AppendU64BE(out, 1);
    ledger::AppendU8(out, 1);
    const std::string vkey = newcomer_->VerifierKey();
    ledger::AppendU8(out, 5);
    ledger::Append(out, std::string_view("svc-2"));
    ledger::AppendU16BE(out, static_cast<uint16_t>(vkey.size()));
    ledger::Append(out, vkey);
    ledger::AppendU8(out, 1);
    ledger::AppendU16BE(out, kind);
    ledger::AppendU8(out, 1);
    ledger::AppendU8(out, static_cast<uint8_t>(prefix.size()));
    ledger::Append(out, prefix);
    return out;
  };
  auto request = [&](const ledger::Bytes& policy) {
    pb::ChangePolicy r = Request(NextPolicy(1), 0);
    r.set_policy(std::string(ledger::AsString(policy)));
    const ledger::Hash digest = ledger::PolicyDigest(policy);
    for (size_t i = 0; i < 2; ++i) {
      auto a = ledger::ApprovePolicy(ceremony_.digest, digest, "op-" + std::to_string(i),
                                     ceremony_.operators[i])
                   .value();
      r.add_approvals(std::string(ledger::AsString(ledger::EncodeApproval(a).value())));
    }
    return r;
  };
  // The same bytes with an ordinary grant are a valid, approved policy.
  const auto kKeyCreated = static_cast<uint16_t>(EventKind::kKeyCreated);
  ASSERT_TRUE(ledger::DecodePolicy(encode(kKeyCreated, "key/")).ok());
  EXPECT_REFUSED(
      e->ChangePolicy(request(encode(static_cast<uint16_t>(EventKind::kPolicyChanged), "key/"))),
      "malformed_policy");
  EXPECT_REFUSED(
      e->ChangePolicy(request(encode(static_cast<uint16_t>(EventKind::kEnclaveBooted), "key/"))),
      "malformed_policy");
  EXPECT_REFUSED(e->ChangePolicy(request(encode(kKeyCreated, "notary-policy/"))),
                 "malformed_policy");
  auto ok = e->ChangePolicy(request(encode(kKeyCreated, "key/")));
  EXPECT_TRUE(ok.ok()) << ok.status();
}

// Review F7: operators who approve an empty policy (say, to revoke everyone)
// used to let the host append unstamped events of any kind.
TEST_F(PolicyChangeTest, AnEmptyPolicyAdmitsNoUnstampedEvent) {
  auto e = Serving();
  auto changed = e->ChangePolicy(Request(ledger::Policy{1, {}}, 2));
  ASSERT_TRUE(changed.ok()) << changed.status();
  host_.Add(*changed);
  const uint64_t size = host_.size();
  for (EventKind kind : {EventKind::kRecordDisposed, EventKind::kKeyCreated}) {
    ledger::SubmittedEvent unstamped{Ceremony::EventBytes(20, 0, kind), {}};
    EXPECT_REFUSED(e->Append(AppendRequest({unstamped})), "missing_stamp");
  }
  ledger::Event boot = ledger::DecodeEvent(Ceremony::EventBytes(21)).value();
  boot.kind = EventKind::kEnclaveBooted;
  boot.subject = std::string("notary/") + kOrigin;
  EXPECT_REFUSED(e->Append(AppendRequest({{ledger::EncodeEvent(boot).value(), {}}})),
                 "reserved_for_notary");
  EXPECT_EQ(e->GetStatus().size(), size);
}

TEST_F(PolicyChangeTest, RefusesBelowThresholdStaleVersionsAndBeforeServing) {
  auto booted = Boot();
  Provision(*booted);
  EXPECT_REFUSED(booted->ChangePolicy(Request(NextPolicy(1), 2)), "not_serving");
  auto e = Serving();
  EXPECT_REFUSED(e->ChangePolicy(Request(NextPolicy(1), 1)), "insufficient_approvals");
  EXPECT_REFUSED(e->ChangePolicy(Request(NextPolicy(0), 2)), "stale_policy_version");
  EXPECT_REFUSED(e->ChangePolicy(Request(NextPolicy(2), 2)), "stale_policy_version");
  // Manifest approvals are not policy approvals.
  pb::ChangePolicy as_manifest = Request(NextPolicy(1), 0);
  ledger::Hash d1 = ledger::PolicyDigest(NextPolicy(1)).value();
  for (const auto& a : ceremony_.ApprovalsOf(d1, 2)) {
    as_manifest.add_approvals(std::string(ledger::AsString(a)));
  }
  EXPECT_REFUSED(e->ChangePolicy(as_manifest), "bad_approval_signature");
  pb::ChangePolicy stale_head = Request(NextPolicy(1), 2);
  stale_head.set_expected_size(host_.size() + 1);
  EXPECT_REFUSED(e->ChangePolicy(stale_head), "head_mismatch");
  // Nothing changed: the manifest's submitter still appends.
  auto ok = e->Append(AppendRequest({ceremony_.Stamped(1)}));
  EXPECT_TRUE(ok.ok()) << ok.status();
  if (ok.ok()) host_.Add(*ok);
  // And the next version is still 1.
  auto changed = e->ChangePolicy(Request(NextPolicy(1), 3));
  EXPECT_TRUE(changed.ok()) << changed.status();
  if (changed.ok()) host_.Add(*changed);
  EXPECT_REFUSED(e->ChangePolicy(Request(NextPolicy(1), 2)), "stale_policy_version");
}

TEST_F(PolicyChangeTest, RestartRestoresOnlyWithThePolicyInForce) {
  auto e = Serving();
  ledger::Policy v1 = NextPolicy(1);
  auto changed = e->ChangePolicy(Request(v1, 2));
  ASSERT_TRUE(changed.ok()) << changed.status();
  host_.Add(*changed);
  e.reset();

  auto second = Boot();
  Provision(*second);
  // The manifest's policy (empty field) and an explicit version 0 are stale.
  EXPECT_REFUSED(second->Restore(host_.Head()), "policy_mismatch");
  pb::Restore old = host_.Head();
  old.set_policy(std::string(ledger::AsString(
      ledger::EncodePolicy(ledger::GenesisPolicy(ceremony_.manifest)).value())));
  EXPECT_REFUSED(second->Restore(old), "policy_mismatch");
  // Another version 1 (not the one in the log) too.
  ledger::Policy other = v1;
  other.submitters[0].kinds.push_back(EventKind::kKeyRotated);
  pb::Restore forged = host_.Head();
  forged.set_policy(std::string(ledger::AsString(ledger::EncodePolicy(other).value())));
  EXPECT_REFUSED(second->Restore(forged), "policy_mismatch");
  pb::Restore garbage = host_.Head();
  garbage.set_policy("not a policy");
  EXPECT_REFUSED(second->Restore(garbage), "malformed_policy");
  EXPECT_EQ(second->state(), Enclave::State::kProvisioned);

  pb::Restore right = host_.Head();
  right.set_policy(std::string(ledger::AsString(ledger::EncodePolicy(v1).value())));
  auto restored = second->Restore(right);
  ASSERT_TRUE(restored.ok()) << restored.status();
  host_.Add(restored->boot_entry());
  EXPECT_REFUSED(second->Append(AppendRequest({ceremony_.Stamped(20)})), "unknown_submitter");
  auto ok = second->Append(AppendRequest({ByNewcomer(21)}));
  EXPECT_TRUE(ok.ok()) << ok.status();
  // Version 2 follows version 1 after the restart.
  if (ok.ok()) host_.Add(*ok);
  auto next = second->ChangePolicy(Request(NextPolicy(2), 2));
  EXPECT_TRUE(next.ok()) << next.status();
}

TEST_F(PolicyChangeTest, GenesisTakesNoPolicy) {
  auto e = Boot();
  Provision(*e);
  pb::Restore genesis;
  genesis.set_genesis(true);
  genesis.set_policy(std::string(ledger::AsString(ledger::EncodePolicy(NextPolicy(1)).value())));
  EXPECT_REFUSED(e->Restore(genesis), "bad_restore");
}

TEST_F(PolicyChangeTest, HandleDispatchesChangePolicy) {
  auto e = Serving();
  pb::HostRequest request;
  *request.mutable_change_policy() = Request(NextPolicy(1), 2);
  pb::NotaryResponse response = e->Handle(request);
  ASSERT_TRUE(response.has_sequenced()) << response.error().reason();
  // The identical request again is a re-send (resend.cc): the same answer,
  // nothing new signed. Another change at the old head is refused.
  pb::NotaryResponse again = e->Handle(request);
  EXPECT_EQ(again.SerializeAsString(), response.SerializeAsString());
  *request.mutable_change_policy() = Request(NextPolicy(2), 2);
  response = e->Handle(request);
  ASSERT_TRUE(response.has_error());
}

}  // namespace
}  // namespace notary::testing
