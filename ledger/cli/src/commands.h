// ledgerctl's commands. Each returns OK after printing its result, or the
// Status that RunLedgerctl turns into an error line and an exit code.
#pragma once

#include <iosfwd>

#include "args.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/note/note.h"
#include "output.h"

namespace ledger::cli {

Status CmdInit(const Args& a, const Output& o);
Status CmdAppend(const Args& a, std::istream& in, const Output& o);
Status CmdStamp(const Args& a, std::istream& in, const Output& o);
Status CmdGet(const Args& a, const Output& o);
Status CmdCheckpoint(const Args& a, const Output& o);
Status CmdProveInclusion(const Args& a, const Output& o);
Status CmdProveConsistency(const Args& a, const Output& o);
Status CmdVerifyInclusion(const Args& a, const Output& o);
Status CmdVerifyConsistency(const Args& a, const Output& o);
Status CmdVerifyStore(const Args& a, const Output& o);
Status CmdVerifyAttestation(const Args& a, const Output& o);
// The state map (commands_state.cc).
Status CmdState(const Args& a, const Output& o);
Status CmdVerifyState(const Args& a, const Output& o);
Status CmdDevPki(const Args& a, const Output& o);
// A development PKI as PEM files in DIR (ledger/attestation_dev/dev_pki.h names them).
Status SaveDevPki(const std::string& dir, const DevPki& pki);
Result<DevPki> LoadDevPki(const std::string& dir);
// The quorum ceremony (commands_quorum.cc).
Status CmdSubmitterKey(const Args& a, const Output& o);
Status CmdQuorumProvision(const Args& a, const Output& o);
Status CmdNotaryProvision(const Args& a, const Output& o);
Status CmdNotaryStatus(const Args& a, const Output& o);
Status CmdOperatorKey(const Args& a, const Output& o);
Status CmdQuorumGenesis(const Args& a, const Output& o);
Status CmdManifestCreate(const Args& a, const Output& o);
Status CmdManifestShow(const Args& a, const Output& o);
Status CmdManifestApprove(const Args& a, const Output& o);
Status CmdManifestVerify(const Args& a, const Output& o);
// The submitter policy (commands_policy.cc).
Status CmdPolicyCreate(const Args& a, const Output& o);
Status CmdPolicyShow(const Args& a, const Output& o);
Status CmdPolicyApprove(const Args& a, const Output& o);
Status CmdPolicyApply(const Args& a, const Output& o);

// Compliance exports (commands_export.cc). CmdVerifyBundle prints its
// report and returns whether every check passed.
Status CmdExport(const Args& a, const Output& o);
Result<bool> CmdVerifyBundle(const Args& a, const Output& o);

// RFC 3161 time-stamp tokens (commands_timestamp.cc).
Status CmdTimestamp(const Args& a, const Output& o);
Status CmdVerifyTimestamp(const Args& a, const Output& o);
// Anchors (commands_anchor.cc): an ANCHOR_CONFIRMED entry offline and on chain.
Status CmdVerifyAnchor(const Args& a, const Output& o);
Status CmdRegistryRekey(const Args& a, const Output& o);

// Static tlog-tiles (commands_publish.cc).
Status CmdPublishTiles(const Args& a, const Output& o);

// A --vkey value: the vkey string itself, or a file holding it.
Result<std::unique_ptr<note::Verifier>> LoadVerifierKey(const std::string& value);

}  // namespace ledger::cli
