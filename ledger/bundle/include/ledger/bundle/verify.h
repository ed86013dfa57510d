// The offline bundle verifier behind `ledgerctl verify-bundle`: no network,
// no ledger, nothing trusted but the keys the auditor pins.
//
// Every check runs, whatever failed before it, and reports pass or fail with
// the evidence, so that an auditor sees everything that is wrong with a
// bundle at once; a tampered artifact fails the check named after it
// (export-bundle.md §8 lists the checks).
//
// Thread-safety: VerifyBundle is a pure function of its arguments.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bundle/bundle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/trust/manifest.h"

namespace ledger::bundle {

struct VerifyOptions {
  // The log's verifier key the auditor pins (required).
  std::shared_ptr<const note::Verifier> log_key;
  // The witness keys and quorum the deployment requires (manifest or pins):
  // the export receipt's checkpoint and the bundle's own latest checkpoint
  // must each carry that many cosignatures; every other checkpoint is proven
  // consistent with them. Default: none required.
  WitnessPolicy witnesses;
  // A signed checkpoint of the same log the auditor already holds: the bundle
  // must prove its checkpoints consistent with it. Default: not checked.
  std::optional<std::string> since_checkpoint;
  // Pinned root certificate (DER) for the boot proofs' attestation documents.
  // Default: those documents are reported as not checked.
  std::optional<Bytes> attestation_root_der;
  // The approved notary manifests the auditor pins (manifest.md): each boot
  // document's PCR0 (and PCR1, PCR2 when the manifest names them) must be
  // those of the pinned manifest its boot entry names. Default: PCRs are
  // reported as not checked.
  std::vector<Manifest> notary_manifests;
  // Pinned RFC 3161 TSA root certificates (PEM) for the export's time-stamp
  // token. Default: the token's imprint is checked, its signature reported
  // as not checked.
  std::optional<std::string> tsa_ca_pem;
};

struct CheckResult {
  std::string name;    // stable, e.g. "entries.inclusion"
  bool ok = false;
  bool skipped = false;  // nothing to check with the given options (counts as ok)
  std::string detail;  // what was checked, or the first failure with evidence
};

struct VerifyReport {
  std::vector<CheckResult> checks;
  bool ok() const;
  const CheckResult* Find(std::string_view name) const;
};

VerifyReport VerifyBundle(const Files& files, const VerifyOptions& options);

}  // namespace ledger::bundle
