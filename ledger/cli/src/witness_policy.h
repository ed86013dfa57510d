// The witness policy every ledgerctl verifier applies to the checkpoints it
// relies on (docs/verification.md, "The witness quorum"): the witness keys and the quorum K come
// from the deployment, never from what is being verified.
//   --manifest FILE...        the approved manifest: witnesses, witness_quorum
//                             (several, as verify-bundle's PCR pins: those of
//                             the newest, NewestManifest)
//   --pins FILE               the pins the deployment writes (pins.json:
//                             log_vkey, witness_vkeys, witness_quorum)
//   --witness VKEY... [--quorum K]   keys one by one; K defaults to all of them
//   --allow-unwitnessed       accept a checkpoint with the log signature alone
// A manifest or pins with K = 0 (a deployment without witnesses) need no flag.
// Nothing given at all is refused: a log-key signature alone may be the one
// the notary gave a rolled-back head at a restart.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "args.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/trust/manifest.h"

namespace ledger::cli {

// The newest of the --manifest files given (nullopt when none): the one no
// other given manifest names as its predecessor (manifest.md §6). Errors:
// VerificationFailed("pins_other_log") for a manifest of another log than
// log_key; InvalidArgument("conflicting_witness_pins") when the manifests are
// not one succession (two of them are nobody's predecessor); the manifests'
// read and decode errors.
Result<std::optional<Manifest>> NewestManifest(const Args& a, const note::Verifier& log_key);

// The options LoadWitnessPolicy reads, for Args::Allow.
std::set<std::string> WitnessPolicyOptions(std::set<std::string> others);

// Errors: InvalidArgument("witness_pins_missing") with no source and no
// --allow-unwitnessed; InvalidArgument("conflicting_witness_pins") with more
// than one source (several --manifest are one source: NewestManifest's);
// InvalidArgument("bad_quorum") for --quorum 0 without
// --allow-unwitnessed or above the number of keys; InvalidArgument("bad_pins")
// for an unreadable pins file; VerificationFailed("pins_other_log") when the
// manifest or pins are of another log than log_key; the manifest's and the
// keys' parse errors.
Result<WitnessPolicy> LoadWitnessPolicy(const Args& a, const note::Verifier& log_key);

// What the witness check established, for the OK line: witnesses not
// required (--allow-unwitnessed), none required by the deployment (K = 0),
// or "cosigned by N witnesses (quorum K of M pinned)".
std::string DescribeWitnessing(const WitnessPolicy& policy, size_t cosignatures, bool allowed);

}  // namespace ledger::cli
