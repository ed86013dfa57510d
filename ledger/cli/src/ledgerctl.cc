#include "ledger/cli/ledgerctl.h"

#include <ostream>

#include "commands.h"
#include "commands_retention.h"

namespace ledger::cli {
namespace {

constexpr char kUsage[] = R"(usage: ledgerctl <command> [options]   (--json on any command: JSON output)

  init --data DIR --origin ORIGIN          create a log (development keys in DIR/keys)
  init --data DIR --notary SOCKET --vkey VKEY --submitter-key FILE [--manifest FILE]
                                           create a log whose key a provisioned notary holds
  append --data DIR [--batch-size N] [FILE|-]
                                           append JSON-lines events (stdin by default)
  get --data DIR INDEX                     one entry with its inclusion proof
  get --data DIR [--subject S] [--actor A] [--kind K] [--from-us T] [--to-us T]
      [--start I] [--limit N]              search entries
  checkpoint --data DIR [--size N]         the latest (or size-N) signed checkpoint
  prove inclusion --data DIR INDEX [--size N]
                                           a C2SP tlog-proof receipt (leaf bytes in extra)
  prove consistency --data DIR --from M [--to N]
                                           an RFC 9162 consistency proof
  verify inclusion --vkey VKEY WITNESSES RECEIPT [--leaf-hash HEX] [--root CERT [--pcr0 HEX]]
                                           a tlog-proof or receipt JSON; --root/--pcr0: the
                                           notary evidence must chain to that code
  verify consistency --vkey VKEY WITNESSES --old CHECKPOINT --new CHECKPOINT PROOF
  verify store --data DIR [--vkey VKEY]    audit every leaf, tile, link and checkpoint
  state --data DIR SUBJECT [--at N] [--out FILE]
                                           the subject's latest entry with its map and
                                           inclusion proofs (or proof of absence)
  verify-state --vkey VKEY WITNESSES ANSWER [--subject S] [--expect-state HEX] [--min-size N]
      [--stamper NAME] [--kind KIND] [--root CERT [--pcr0 HEX]]
                                           check a state answer offline; --expect-state
                                           fails unless HEX is the latest notarized state,
                                           --stamper/--kind unless that key set it with
                                           an entry of that kind
  verify-attestation --root CERT [--at UNIX] [--pcr N=HEX...] [--user-data HEX]
      [--nonce HEX] DOC                    check an AWS Nitro attestation document
                                           (CBOR or base64) against a pinned root
  verify-anchor --vkey VKEY WITNESSES --notary 0xADDR [--chain-id N --contract 0xADDR]
      [--rpc URL] [--tsa-ca CERT] RECEIPT
                                           check an ANCHOR_CONFIRMED entry (its receipt) offline,
                                           and against the chain with --rpc; the notary and the
                                           registry must be pinned: --manifest also pins the
                                           registry's chain and contract, else give both
                                           --chain-id and --contract
  registry-rekey --manifest FILE --key OPKEY --share SHARE [--key .. --share ..]
      --new-notary 0xADDR [--nonce N]      k operators sign, offline, the Rekey statement that
                                           hands the log's registry entry to another key
  timestamp --tsa URL --ca CERT (FILE | --digest HEX) --out TOKEN
                                           an RFC 3161 token for FILE's SHA-256 from a TSA,
                                           verified against the pinned root CERT
  verify-timestamp --token TOKEN --ca CERT [--untrusted CERTS] (FILE | --digest HEX)
                                           check a token (or .tsr response) offline
  dev-pki --out DIR                        create a development P-384 root/intermediate/leaf

compliance (docs/compliance.md):
  export --data DIR --out DIR|FILE.tar [--from T] [--to T] [--subject S...] [--actor ID]
         [--kind KIND] [--outcome OUTCOME] [--request-id ID] [--requester NAME]
         [--tsa URL --tsa-ca CERT]
                                           export a time range (RFC 3339 or µs, recorded_at,
                                           [from, to)), optionally filtered, as a self-verifying
                                           bundle, time-stamped by an RFC 3161 TSA with --tsa;
                                           the export is recorded as an EXPORT_CREATED entry
  verify-bundle --vkey VKEY WITNESSES [--since CHECKPOINT] [--root CERT] [--manifest FILE...]
      [--tsa-ca CERT] DIR|FILE.tar         verify a bundle offline: one PASS/FAIL line per check;
                                           boot documents must carry the PCRs of the pinned
                                           manifest their boot entry names; several --manifest
                                           must be one succession, the newest gives WITNESSES
  retention class --data DIR --class NAME --days N [--lock] [--actor ID]
                                           configure a retention class (never below the
                                           regulatory minimum; a period only extends)
  retention extend --data DIR --subject S --until RFC3339 [--actor ID]
                                           extend a record's retain-until (never shorten)
  hold place|release --data DIR --subject S --hold-id ID --role ROLE [--reason R] [--actor ID]
                     [--submitter-key FILE]
                                           legal hold; release needs another stamper key than
                                           placement (--submitter-key: stamp with that key)
  dispose --data DIR --index I [--actor ID]
                                           dispose of an entry's payload body after retention;
                                           refusals are recorded as DENIED entries

quorum ceremony (docs/operations.md, "The quorum ceremony"):
  operator-key --out FILE                  an operator's P-256 key (FILE, mode 0600; FILE.pub)
  quorum genesis --operator NAME=PUBKEYFILE... --threshold K --out DIR
                                           split a new quorum key: DIR/NAME.share, DIR/quorum.pub
  manifest create --origin O --pcr0 HEX [--pcr1 HEX] [--pcr2 HEX]
      --operator NAME=PUBKEYFILE... --threshold K --quorum-pub FILE
      [--submitter NAME=VKEY:KIND,KIND... --subjects NAME=PREFIX,PREFIX...]
      [--witness VKEY...] [--witness-quorum N] [--nonce N] [--chain-id N] [--registry ADDRESS]
      [--predecessor OLD_MANIFEST] --out FILE
                                           each submitter needs its subject prefixes ("NAME="
                                           for all); ENCLAVE_BOOTED, POLICY_CHANGED and
                                           notary* subjects are the notary's, never granted;
                                           witness quorum N > half the witnesses, distinct keys;
                                           --predecessor: the manifest in force it replaces
  manifest show FILE
  manifest approve --key KEYFILE --name NAME FILE --out APPROVAL
  manifest verify FILE APPROVAL...         exit 0 only with threshold valid approvals
  policy create --version N [--submitter NAME=VKEY:KIND,KIND... --subjects NAME=PREFIX,...]
      --out FILE                           grants as for manifest create
  policy show FILE
  policy approve --key KEYFILE --name NAME --manifest M FILE --out APPROVAL
  policy apply --data DIR FILE --approval FILE...   notary-mode log: record and enforce it
  quorum provision --socket S --manifest FILE --root CERT --key KEYFILE --share FILE --out FILE
                                           verify the notary's attestation, re-seal the share to it
  notary provision --socket S --manifest FILE --approval FILE... --share FILE... [--vkey-out F]
  notary status --socket S
  submitter-key --name NAME --out FILE [--alg ed25519|p256|secp256k1]
                    a submitter's stamping key, Ed25519 by default (FILE.vkey)
  stamp --key FILE --origin ORIGIN [FILE|-]
                    stamp JSON-lines events into one POST /v1/entries body (ledgerd)

VKEY is a C2SP verifier key string or a file holding one (DIR/log.vkey).
WITNESSES is where the witness keys and quorum K come from, which every checkpoint
a verifier relies on must meet (K valid cosignatures): --manifest FILE (the approved
manifest), --pins FILE (the deployment's pins.json), or --witness VKEY... [--quorum K]
(K defaults to every key). --allow-unwitnessed accepts a checkpoint signed by the log
key alone, which may be one the notary signed on a rolled-back head at a restart.
Exit status: 0 ok, 1 verification failed or corruption, 2 bad usage or input,
3 not found, 4 other failure.
)";

}  // namespace

int RunLedgerctl(const std::vector<std::string>& argv, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  auto parsed = Args::Parse(argv, {"json", "help", "allow-unwitnessed"});
  Output o{out, err, false};
  if (!parsed.ok()) return o.Fail(parsed.status());
  Args& a = *parsed;
  o.json = a.Flag("json");
  const auto& pos = a.positional();
  if (pos.empty() || a.Flag("help") || pos[0] == "help") {
    (pos.empty() && !a.Flag("help") ? err : out) << kUsage;
    return pos.empty() && !a.Flag("help") ? kExitUsage : kExitOk;
  }
  const std::string& cmd = pos[0];
  const std::string sub = pos.size() > 1 ? pos[1] : "";
  Status s;
  if (cmd == "init") {
    s = CmdInit(a, o);
  } else if (cmd == "append") {
    s = CmdAppend(a, in, o);
  } else if (cmd == "get") {
    s = CmdGet(a, o);
  } else if (cmd == "checkpoint") {
    s = CmdCheckpoint(a, o);
  } else if (cmd == "prove" && sub == "inclusion") {
    s = CmdProveInclusion(a, o);
  } else if (cmd == "prove" && sub == "consistency") {
    s = CmdProveConsistency(a, o);
  } else if (cmd == "verify" && sub == "inclusion") {
    s = CmdVerifyInclusion(a, o);
  } else if (cmd == "verify" && sub == "consistency") {
    s = CmdVerifyConsistency(a, o);
  } else if (cmd == "verify" && sub == "store") {
    s = CmdVerifyStore(a, o);
  } else if (cmd == "state") {
    s = CmdState(a, o);
  } else if (cmd == "verify-state") {
    s = CmdVerifyState(a, o);
  } else if (cmd == "timestamp") {
    s = CmdTimestamp(a, o);
  } else if (cmd == "verify-timestamp") {
    s = CmdVerifyTimestamp(a, o);
  } else if (cmd == "verify-attestation") {
    s = CmdVerifyAttestation(a, o);
  } else if (cmd == "verify-anchor") {
    s = CmdVerifyAnchor(a, o);
  } else if (cmd == "registry-rekey") {
    s = CmdRegistryRekey(a, o);
  } else if (cmd == "export") {
    s = CmdExport(a, o);
  } else if (cmd == "verify-bundle") {
    auto verified = CmdVerifyBundle(a, o);
    if (!verified.ok()) return o.Fail(verified.status());
    return *verified ? kExitOk : kExitVerificationFailed;
  } else if (cmd == "retention" && sub == "class") {
    s = CmdRetentionClass(a, o);
  } else if (cmd == "retention" && sub == "extend") {
    s = CmdRetentionExtend(a, o);
  } else if (cmd == "hold" && sub == "place") {
    s = CmdHoldPlace(a, o);
  } else if (cmd == "hold" && sub == "release") {
    s = CmdHoldRelease(a, o);
  } else if (cmd == "dispose") {
    s = CmdDispose(a, o);
  } else if (cmd == "dev-pki") {
    s = CmdDevPki(a, o);
  } else if (cmd == "stamp") {
    s = CmdStamp(a, in, o);
  } else if (cmd == "submitter-key") {
    s = CmdSubmitterKey(a, o);
  } else if (cmd == "quorum" && sub == "provision") {
    s = CmdQuorumProvision(a, o);
  } else if (cmd == "notary" && sub == "provision") {
    s = CmdNotaryProvision(a, o);
  } else if (cmd == "notary" && sub == "status") {
    s = CmdNotaryStatus(a, o);
  } else if (cmd == "operator-key") {
    s = CmdOperatorKey(a, o);
  } else if (cmd == "quorum" && sub == "genesis") {
    s = CmdQuorumGenesis(a, o);
  } else if (cmd == "manifest" && sub == "create") {
    s = CmdManifestCreate(a, o);
  } else if (cmd == "manifest" && sub == "show") {
    s = CmdManifestShow(a, o);
  } else if (cmd == "manifest" && sub == "approve") {
    s = CmdManifestApprove(a, o);
  } else if (cmd == "manifest" && sub == "verify") {
    s = CmdManifestVerify(a, o);
  } else if (cmd == "policy" && sub == "create") {
    s = CmdPolicyCreate(a, o);
  } else if (cmd == "policy" && sub == "show") {
    s = CmdPolicyShow(a, o);
  } else if (cmd == "policy" && sub == "approve") {
    s = CmdPolicyApprove(a, o);
  } else if (cmd == "policy" && sub == "apply") {
    s = CmdPolicyApply(a, o);
  } else {
    err << kUsage;
    return o.Fail(Status::InvalidArgument("unknown_command", "unknown command: " + cmd +
                                                                 (sub.empty() ? "" : " " + sub)));
  }
  return s.ok() ? kExitOk : o.Fail(s);
}

}  // namespace ledger::cli
