// --pcr0 HEX --root CERT: which measured code must stand behind a receipt or
// a state answer (receipt.md §4). With them, `verify inclusion` and
// `verify-state` check the answer's "notary" evidence offline: the app proof
// over the entry's batch, signed by an ephemeral key that a boot entry
// stamped by the log key records, whose attestation document chains to the
// pinned root and states the pinned PCR0.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "args.h"
#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/trust/notary_evidence.h"

namespace ledger::cli {

struct CodePins {
  Bytes root_der;  // the attestation root (e.g. AWS Nitro Enclaves Root-G1)
  Bytes pcr0;
};

// The options LoadCodePins reads, for Args::Allow.
std::set<std::string> CodePinOptions(std::set<std::string> others);

// nullopt when neither --root nor --pcr0 is given. --pcr0 defaults to the
// newest --manifest's. InvalidArgument("pcr0_pin_missing") for --root
// without a PCR0, ("attestation_root_missing") for --pcr0 without --root,
// ("bad_pcr0") for a PCR0 that is not 32, 48 or 64 bytes of hex; the root
// file's read and parse errors.
Result<std::optional<CodePins>> LoadCodePins(const Args& a, const note::Verifier& log_key);

// Checks `e` for entry `index` of an answer whose checkpoint `answer` the
// caller verified (log key and witnesses). Stable VerificationFailed
// reasons: app_proof_wrong_batch (the batch does not hold the entry, or
// ends after the answer), batch_checkpoint_mismatch (another log, or not
// the batch's size), the app proof's app_proof_mismatch and bad_signature,
// batch_not_in_answer (the consistency proof fails), boot_entry_invalid
// (not an ENCLAVE_BOOTED entry stamped by the log key, or after the
// batch), boot_entry_not_in_answer, app_proof_other_boot (the boot entry
// records another key), attestation_mismatch (the document is not the boot
// entry's payload), public_key_mismatch (the document attests another key),
// and VerifyAttestation's (untrusted_root, pcr_mismatch, user_data_mismatch,
// ...).
Status VerifyNotaryEvidence(const NotaryEvidence& e, uint64_t index, const Checkpoint& answer,
                            const note::Verifier& log_key, const CodePins& pins);

// What the verify commands do with the pins: nothing without them (nullopt);
// with them, VerificationFailed("notary_evidence_missing") for an answer
// without evidence, else VerifyNotaryEvidence, and the phrase for the OK line.
Result<std::optional<std::string>> CheckCode(const std::optional<CodePins>& pins,
                                             const std::optional<NotaryEvidence>& evidence,
                                             uint64_t index, const Checkpoint& answer,
                                             const note::Verifier& log_key);

}  // namespace ledger::cli
