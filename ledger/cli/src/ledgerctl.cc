#include "ledger/cli/ledgerctl.h"

#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "commands.h"
#include "commands_retention.h"

namespace ledger::cli {
namespace {

// A command runs and gives the exit status.
using Handler = int (*)(Args&, std::istream&, Output&);

template <Status (*F)(const Args&, const Output&)>
int Run(Args& a, std::istream&, Output& o) {
  Status s = F(a, o);
  return s.ok() ? kExitOk : o.Fail(s);
}

template <Status (*F)(const Args&, std::istream&, const Output&)>
int RunWithInput(Args& a, std::istream& in, Output& o) {
  Status s = F(a, in, o);
  return s.ok() ? kExitOk : o.Fail(s);
}

// verify-bundle reports its checks itself; a failed check is exit 1.
int RunVerifyBundle(Args& a, std::istream&, Output& o) {
  auto verified = CmdVerifyBundle(a, o);
  if (!verified.ok()) return o.Fail(verified.status());
  return *verified ? kExitOk : kExitVerificationFailed;
}

// One row per command: dispatch and the usage text come from this table
// alone, so a command cannot exist without being documented, or the reverse.
struct Command {
  std::string_view section;  // the usage's heading above it ("" for the first group)
  std::string_view name;
  std::string_view sub;      // the second word ("" when the command has none)
  Handler run;
  std::string_view usage;    // its lines ("" when the row above documents it too)
};

constexpr Command kCommands[] = {
    {"", "init", "", Run<CmdInit>,
     R"(  init --data DIR --origin ORIGIN          create a log (development keys in DIR/keys)
  init --data DIR --notary SOCKET --vkey VKEY --submitter-key FILE [--manifest FILE]
                                           create a log whose key a provisioned notary holds
)"},
    {"", "append", "", RunWithInput<CmdAppend>,
     R"(  append --data DIR [--batch-size N] [FILE|-]
                                           append JSON-lines events (stdin by default)
)"},
    {"", "get", "", Run<CmdGet>,
     R"(  get --data DIR INDEX                     one entry with its inclusion proof
  get --data DIR [--subject S] [--actor A] [--kind K] [--from-us T] [--to-us T]
      [--start I] [--limit N]              search entries
)"},
    {"", "checkpoint", "", Run<CmdCheckpoint>,
     R"(  checkpoint --data DIR [--size N]         the latest (or size-N) signed checkpoint
)"},
    {"", "publish-tiles", "", Run<CmdPublishTiles>,
     R"(  publish-tiles --data DIR --out PUBDIR [--follow SECONDS] [--vkey VKEY]
                                           write the log's C2SP tlog-tiles (tiles, entry
                                           bundles, then the checkpoint) for a static web
                                           server; --follow: again every SECONDS until SIGTERM
)"},
    {"", "prove", "inclusion", Run<CmdProveInclusion>,
     R"(  prove inclusion --data DIR INDEX [--size N]
                                           a C2SP tlog-proof receipt (leaf bytes in extra)
)"},
    {"", "prove", "consistency", Run<CmdProveConsistency>,
     R"(  prove consistency --data DIR --from M [--to N]
                                           an RFC 9162 consistency proof
)"},
    {"", "verify", "inclusion", Run<CmdVerifyInclusion>,
     R"(  verify inclusion --vkey VKEY WITNESSES RECEIPT [--leaf-hash HEX] [--root CERT [--pcr0 HEX]]
                                           a tlog-proof or receipt JSON; --root/--pcr0: the
                                           notary evidence must chain to that code
)"},
    {"", "verify", "consistency", Run<CmdVerifyConsistency>,
     R"(  verify consistency --vkey VKEY WITNESSES --old CHECKPOINT --new CHECKPOINT PROOF
)"},
    {"", "verify", "store", Run<CmdVerifyStore>,
     R"(  verify store --data DIR [--vkey VKEY]    audit every leaf, tile, link and checkpoint
)"},
    {"", "state", "", Run<CmdState>,
     R"(  state --data DIR SUBJECT [--at N] [--out FILE]
                                           the subject's latest entry with its map and
                                           inclusion proofs (or proof of absence)
)"},
    {"", "verify-state", "", Run<CmdVerifyState>,
     R"(  verify-state --vkey VKEY WITNESSES ANSWER [--subject S] [--expect-state HEX] [--min-size N]
      [--stamper NAME] [--kind KIND] [--root CERT [--pcr0 HEX]]
                                           check a state answer offline; --expect-state
                                           fails unless HEX is the latest notarized state,
                                           --stamper/--kind unless that key set it with
                                           an entry of that kind
)"},
    {"", "verify-attestation", "", Run<CmdVerifyAttestation>,
     R"(  verify-attestation --root CERT [--at UNIX] [--pcr N=HEX...] [--user-data HEX]
      [--nonce HEX] DOC                    check an AWS Nitro attestation document
                                           (CBOR or base64) against a pinned root
)"},
    {"", "verify-anchor", "", Run<CmdVerifyAnchor>,
     R"(  verify-anchor --vkey VKEY WITNESSES --notary 0xADDR [--chain-id N --contract 0xADDR]
      [--rpc URL [--ca CERT]] [--tsa-ca CERT] RECEIPT
                                           check an ANCHOR_CONFIRMED entry (its receipt) offline,
                                           and against the chain with --rpc; the notary and the
                                           registry must be pinned: --manifest also pins the
                                           registry's chain and contract, else give both
                                           --chain-id and --contract
)"},
    {"", "registry-rekey", "", Run<CmdRegistryRekey>,
     R"(  registry-rekey --manifest FILE --key OPKEY --share SHARE [--key .. --share ..]
      --new-notary 0xADDR [--nonce N]      k operators sign, offline, the Rekey statement that
                                           hands the log's registry entry to another key
)"},
    {"", "timestamp", "", Run<CmdTimestamp>,
     R"(  timestamp --tsa URL --ca CERT (FILE | --digest HEX) --out TOKEN
                                           an RFC 3161 token for FILE's SHA-256 from a TSA,
                                           verified against the pinned root CERT
)"},
    {"", "verify-timestamp", "", Run<CmdVerifyTimestamp>,
     R"(  verify-timestamp --token TOKEN --ca CERT [--untrusted CERTS] (FILE | --digest HEX)
                                           check a token (or .tsr response) offline
)"},
    {"", "dev-pki", "", Run<CmdDevPki>,
     R"(  dev-pki --out DIR                        create a development P-384 root/intermediate/leaf
)"},
    {"compliance (docs/compliance.md)", "export", "", Run<CmdExport>,
     R"(  export --data DIR --out DIR|FILE.tar [--from T] [--to T] [--subject S...] [--actor ID]
         [--kind KIND] [--outcome OUTCOME] [--request-id ID] [--requester NAME]
         [--tsa URL --tsa-ca CERT]
                                           export a time range (RFC 3339 or µs, recorded_at,
                                           [from, to)), optionally filtered, as a self-verifying
                                           bundle, time-stamped by an RFC 3161 TSA with --tsa;
                                           the export is recorded as an EXPORT_CREATED entry
)"},
    {"compliance (docs/compliance.md)", "verify-bundle", "", RunVerifyBundle,
     R"(  verify-bundle --vkey VKEY WITNESSES [--since CHECKPOINT] [--root CERT] [--manifest FILE...]
      [--tsa-ca CERT] DIR|FILE.tar         verify a bundle offline: one PASS/FAIL line per check;
                                           boot documents must carry the PCRs of the pinned
                                           manifest their boot entry names; several --manifest
                                           must be one succession, the newest gives WITNESSES
)"},
    {"compliance (docs/compliance.md)", "retention", "class", Run<CmdRetentionClass>,
     R"(  retention class --data DIR --class NAME --days N [--lock] [--actor ID]
                                           configure a retention class (never below the
                                           regulatory minimum; a period only extends)
)"},
    {"compliance (docs/compliance.md)", "retention", "extend", Run<CmdRetentionExtend>,
     R"(  retention extend --data DIR --subject S --until RFC3339 [--actor ID]
                                           extend a record's retain-until (never shorten)
)"},
    {"compliance (docs/compliance.md)", "hold", "place", Run<CmdHoldPlace>,
     R"(  hold place|release --data DIR --subject S --hold-id ID --role ROLE [--reason R] [--actor ID]
)"},
    {"compliance (docs/compliance.md)", "hold", "release", Run<CmdHoldRelease>,
     R"(                     [--submitter-key FILE]
                                           legal hold; release needs another stamper key than
                                           placement (--submitter-key: stamp with that key)
)"},
    {"compliance (docs/compliance.md)", "dispose", "", Run<CmdDispose>,
     R"(  dispose --data DIR --index I [--actor ID]
                                           dispose of an entry's payload body after retention;
                                           refusals are recorded as DENIED entries
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "operator-key", "", Run<CmdOperatorKey>,
     R"(  operator-key --out FILE                  an operator's P-256 key (FILE, mode 0600; FILE.pub)
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "quorum", "genesis", Run<CmdQuorumGenesis>,
     R"(  quorum genesis --operator NAME=PUBKEYFILE... --threshold K --out DIR
                                           split a new quorum key: DIR/NAME.share, DIR/quorum.pub
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "manifest", "create", Run<CmdManifestCreate>,
     R"(  manifest create --origin O --pcr0 HEX [--pcr1 HEX] [--pcr2 HEX]
      --operator NAME=PUBKEYFILE... --threshold K --quorum-pub FILE
      [--submitter NAME=VKEY:KIND,KIND... --subjects NAME=PREFIX,PREFIX...]
      [--witness VKEY...] [--witness-quorum N] [--nonce N] [--chain-id N] [--registry ADDRESS]
      [--predecessor OLD_MANIFEST] --out FILE
                                           each submitter needs its subject prefixes ("NAME="
                                           for all); ENCLAVE_BOOTED, POLICY_CHANGED and
                                           notary* subjects are the notary's, never granted;
                                           witness quorum N > half the witnesses, distinct keys;
                                           --predecessor: the manifest in force it replaces
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "manifest", "show", Run<CmdManifestShow>,
     R"(  manifest show FILE
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "manifest", "approve", Run<CmdManifestApprove>,
     R"(  manifest approve --key KEYFILE --name NAME FILE --out APPROVAL
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "manifest", "verify", Run<CmdManifestVerify>,
     R"(  manifest verify FILE APPROVAL...         exit 0 only with threshold valid approvals
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "policy", "create", Run<CmdPolicyCreate>,
     R"(  policy create --version N [--submitter NAME=VKEY:KIND,KIND... --subjects NAME=PREFIX,...]
      --out FILE                           grants as for manifest create
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "policy", "show", Run<CmdPolicyShow>,
     R"(  policy show FILE
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "policy", "approve", Run<CmdPolicyApprove>,
     R"(  policy approve --key KEYFILE --name NAME --manifest M FILE --out APPROVAL
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "policy", "apply", Run<CmdPolicyApply>,
     R"(  policy apply --data DIR FILE --approval FILE...   notary-mode log: record and enforce it
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "quorum", "provision", Run<CmdQuorumProvision>,
     R"(  quorum provision --socket S --manifest FILE --root CERT --key KEYFILE --share FILE --out FILE
                                           verify the notary's attestation, re-seal the share to it
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "notary", "provision", Run<CmdNotaryProvision>,
     R"(  notary provision --socket S --manifest FILE --approval FILE... --share FILE... [--vkey-out F]
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "notary", "status", Run<CmdNotaryStatus>,
     R"(  notary status --socket S
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "submitter-key", "", Run<CmdSubmitterKey>,
     R"(  submitter-key --name NAME --out FILE [--alg ed25519|p256|secp256k1]
                    a submitter's stamping key, Ed25519 by default (FILE.vkey)
)"},
    {R"(quorum ceremony (docs/operations.md, "The quorum ceremony"))", "stamp", "", RunWithInput<CmdStamp>,
     R"(  stamp --key FILE --origin ORIGIN [--batch] [FILE|-]
                    stamp JSON-lines events into one POST /v1/entries body (ledgerd);
                    --batch: one signature over the body's Merkle root (stamp.md §7)
)"},
};

constexpr std::string_view kUsageHead =
    "usage: ledgerctl <command> [options]   (--json on any command: JSON output)\n\n";

constexpr std::string_view kUsageTail = R"(VKEY is a C2SP verifier key string or a file holding one (DIR/log.vkey).
WITNESSES is where the witness keys and quorum K come from, which every checkpoint
a verifier relies on must meet (K valid cosignatures): --manifest FILE (the approved
manifest), --pins FILE (the deployment's pins.json), or --witness VKEY... [--quorum K]
(K defaults to every key). --allow-unwitnessed accepts a checkpoint signed by the log
key alone, which may be one the notary signed on a rolled-back head at a restart.
Exit status: 0 ok, 1 verification failed or corruption, 2 bad usage or input,
3 not found, 4 other failure.
)";

std::string Usage() {
  std::string u(kUsageHead);
  std::string_view section;
  for (const Command& c : kCommands) {
    if (c.section != section) {
      section = c.section;
      u.append("\n").append(section).append(":\n");
    }
    u.append(c.usage);
  }
  return u.append("\n").append(kUsageTail);
}

const Command* Find(std::string_view name, std::string_view sub) {
  for (const Command& c : kCommands) {
    if (c.name == name && (c.sub.empty() || c.sub == sub)) return &c;
  }
  return nullptr;
}

}  // namespace

int RunLedgerctl(const std::vector<std::string>& argv, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  auto parsed = Args::Parse(argv, {"json", "help", "allow-unwitnessed", "batch"});
  Output o{out, err, false};
  if (!parsed.ok()) return o.Fail(parsed.status());
  Args& a = *parsed;
  o.json = a.Flag("json");
  const auto& pos = a.positional();
  if (pos.empty() || a.Flag("help") || pos[0] == "help") {
    (pos.empty() && !a.Flag("help") ? err : out) << Usage();
    return pos.empty() && !a.Flag("help") ? kExitUsage : kExitOk;
  }
  const std::string& cmd = pos[0];
  const std::string sub = pos.size() > 1 ? pos[1] : "";
  const Command* c = Find(cmd, sub);
  if (c == nullptr) {
    err << Usage();
    return o.Fail(Status::InvalidArgument("unknown_command", "unknown command: " + cmd +
                                                                 (sub.empty() ? "" : " " + sub)));
  }
  return c->run(a, in, o);
}

}  // namespace ledger::cli
