// Provision: operator approvals, quorum shares, log keys (see notary/enclave.h
// and the quorum ceremony in schemas/formats/keys.md).
#include <openssl/crypto.h>

#include "internal.h"
#include "ledger/crypto/sealed_box.h"
#include "ledger/note/note.h"
#include "ledger/trust/policy.h"
#include "ledger/trust/quorum.h"
#include "notary/enclave.h"

namespace notary {

using ledger::Bytes;
using ledger::Result;
using ledger::Status;

namespace {

// Plaintext shares, cleansed however Provision returns.
struct ShareBuffers {
  std::vector<Bytes> shares;
  ~ShareBuffers() {
    for (Bytes& s : shares) OPENSSL_cleanse(s.data(), s.size());
  }
};

}  // namespace

Result<ledger::Ed25519PrivateKey> CopyKey(const ledger::Ed25519PrivateKey& key) {
  Bytes seed = key.ExportSeed();
  auto copy = ledger::Ed25519PrivateKey::FromSeed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return copy;
}

Result<pb::Provisioned> Enclave::Provision(const pb::Provision& request) {
  if (state_ != State::kBooted) {
    return Status::FailedPrecondition("already_provisioned", "this boot is already provisioned");
  }
  RETURN_IF_ERROR(PinManifest(ledger::AsBytes(request.manifest())));
  const ledger::Manifest& m = *manifest_;

  std::vector<ledger::Approval> approvals;
  for (const std::string& a : request.approvals()) {
    ASSIGN_OR_RETURN(ledger::Approval approval, ledger::DecodeApproval(ledger::AsBytes(a)));
    approvals.push_back(std::move(approval));
  }
  RETURN_IF_ERROR(ledger::VerifyApprovals(m, approvals));
  // Submitters whose key the sequencer cannot check are refused here rather
  // than silently never matching.
  RETURN_IF_ERROR(ledger::ToSubmitterPolicy(ledger::GenesisPolicy(m)).status());

  // Shares open only under this manifest's digest: a share sent for another
  // manifest does not open (sealed-box AAD).
  const Bytes context = ledger::NotaryShareContext(manifest_digest_);
  ShareBuffers plain;
  for (const std::string& box : request.sealed_shares()) {
    auto share = ledger::Open(ephemeral_, ledger::AsBytes(box), context);
    if (!share.ok()) return share.status().Annotate("share " + std::to_string(plain.shares.size()));
    plain.shares.push_back(std::move(share).value());
  }
  ASSIGN_OR_RETURN(ledger::QuorumSecret secret,
                   ledger::CombineShares(plain.shares, m.threshold, m.quorum_public_key));
  ASSIGN_OR_RETURN(ledger::Ed25519PrivateKey log_key, ledger::DeriveLogKey(secret, m.origin));
  ASSIGN_OR_RETURN(ledger::Ed25519PrivateKey stamp_key, CopyKey(log_key));
  // The secp256k1 key that signs registry statements (keys.md §4).
  ASSIGN_OR_RETURN(ledger::Secp256k1KeyPair registry, ledger::DeriveRegistryKey(secret, m.origin));
  // `secret` and the plaintext shares are cleansed by their destructors on
  // every return path from here.

  auto log_verifier = std::shared_ptr<const ledger::note::Verifier>(
      ledger::note::NewEd25519Verifier(m.origin, log_key.public_key()));
  log_vkey_ = log_verifier->VerifierKey();

  pb::Provisioned out;
  out.set_origin(m.origin);
  out.set_log_vkey(log_vkey_);
  out.set_registry_public_key(std::string(registry.public_key.begin(), registry.public_key.end()));
  log_key_.emplace(std::move(log_key));
  stamp_signer_ = ledger::note::NewEd25519Signer(m.origin, std::move(stamp_key));
  registry_key_.emplace(std::move(registry));
  log_verifier_ = std::move(log_verifier);
  state_ = State::kProvisioned;
  return out;
}

}  // namespace notary
