// A quorum ceremony for tests, with real keys and real crypto: a dev PKI, n
// operators holding a k-of-n quorum key, an approved manifest with one
// stamped submitter, and helpers that build Provision requests for a notary
// instance the way operators would (re-sealing their shares to its
// ephemeral key under the manifest's digest).
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/record/stamp.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/trust/manifest.h"
#include "ledger/trust/quorum.h"
#include "ledger/v1/notary.pb.h"

namespace notary::testing {

namespace pb = ledger::v1::notary;

struct Ceremony {
  std::string origin;
  ledger::Bytes pcr0;
  std::vector<ledger::P256PrivateKey> operators;
  ledger::QuorumShares shares;
  std::unique_ptr<ledger::note::Signer> submitter;
  ledger::Manifest manifest;
  ledger::Bytes manifest_bytes;
  ledger::Hash digest;

  // k-of-n operators; the manifest expects `pcr0`.
  // `witnesses` (cosignature/v1 vkeys) and `witness_quorum` go in the manifest.
  static Ceremony Make(std::string origin, ledger::Bytes pcr0, size_t k = 2, size_t n = 3,
                       std::vector<std::string> witnesses = {}, uint8_t witness_quorum = 0) {
    Ceremony c;
    c.origin = std::move(origin);
    c.pcr0 = std::move(pcr0);
    std::vector<ledger::P256PublicKey> pubs;
    for (size_t i = 0; i < n; ++i) {
      c.operators.push_back(ledger::P256PrivateKey::Generate().value());
      pubs.push_back(c.operators.back().public_key());
    }
    c.shares = ledger::QuorumGenesis(pubs, k, ledger::AsBytes(ledger::kOperatorShareContext)).value();
    c.submitter = ledger::note::NewEd25519Signer("svc-1", ledger::Ed25519PrivateKey::Generate().value());
    ledger::Manifest& m = c.manifest;
    m.nonce = 1;
    m.origin = c.origin;
    std::copy(c.pcr0.begin(), c.pcr0.end(), m.pcr0.begin());
    for (size_t i = 0; i < n; ++i) m.operators.push_back({"op-" + std::to_string(i), pubs[i]});
    m.threshold = static_cast<uint8_t>(k);
    m.quorum_public_key = c.shares.quorum_public_key;
    m.submitters.push_back({"svc-1",
                            c.submitter->VerifierKey(),
                            {ledger::EventKind::kKeyCreated, ledger::EventKind::kKeyRotated,
                             ledger::EventKind::kLegalHoldPlaced},
                            {"key/"}});
    m.witnesses = std::move(witnesses);
    std::sort(m.witnesses.begin(), m.witnesses.end());
    m.witness_quorum = witness_quorum;
    c.manifest_bytes = ledger::EncodeManifest(m).value();
    c.digest = ledger::ManifestDigest(c.manifest_bytes);
    return c;
  }

  // Approvals by the first `count` operators, of `digest` (default: ours).
  std::vector<ledger::Bytes> Approvals(size_t count) const { return ApprovalsOf(digest, count); }
  std::vector<ledger::Bytes> ApprovalsOf(const ledger::Hash& d, size_t count) const {
    std::vector<ledger::Bytes> out;
    for (size_t i = 0; i < count; ++i) {
      auto a = ledger::ApproveManifest(d, "op-" + std::to_string(i), operators[i]).value();
      out.push_back(ledger::EncodeApproval(a).value());
    }
    return out;
  }

  // The first `count` operators' shares re-sealed to a notary under `d`.
  std::vector<ledger::Bytes> SharesFor(ledger::ByteView notary_key, size_t count,
                                       const ledger::Hash& d) const {
    std::vector<ledger::Bytes> out;
    for (size_t i = 0; i < count; ++i) {
      out.push_back(ledger::ReshareToNotary(operators[i], shares.sealed_shares[i],
                                            ledger::AsBytes(ledger::kOperatorShareContext),
                                            notary_key, ledger::NotaryShareContext(d))
                        .value());
    }
    return out;
  }

  pb::Provision ProvisionRequest(ledger::ByteView notary_key, size_t approvals,
                                 size_t share_count) const {
    pb::Provision p;
    p.set_manifest(std::string(ledger::AsString(manifest_bytes)));
    for (const auto& a : Approvals(approvals)) p.add_approvals(std::string(ledger::AsString(a)));
    for (const auto& s : SharesFor(notary_key, share_count, digest)) {
      p.add_sealed_shares(std::string(ledger::AsString(s)));
    }
    return p;
  }

  // Canonical event n, and the submitter's stamp over it.
  static ledger::Bytes EventBytes(uint64_t n, size_t pad = 0,
                                  ledger::EventKind kind = ledger::EventKind::kKeyCreated) {
    ledger::Event e;
    e.kind = kind;
    e.event_id = "e-" + std::to_string(n);
    e.occurred_at_us = 1000 + n;
    e.actor.id = "svc/keys";
    e.subject = "key/k-" + std::to_string(n % 7);
    if (pad > 0) e.attributes = {{"pad", std::string(pad, 'x')}};
    return ledger::EncodeEvent(e).value();
  }
  ledger::SubmittedEvent Stamped(uint64_t n, size_t pad = 0,
                                 ledger::EventKind kind = ledger::EventKind::kKeyCreated) const {
    ledger::Bytes event = EventBytes(n, pad, kind);
    ledger::Bytes stamp = ledger::MakeStamp(origin, event, *submitter).value();
    return {std::move(event), std::move(stamp)};
  }
};

}  // namespace notary::testing
