// verify inclusion, verify consistency, verify store: checks that need only
// pinned keys (except store, which audits a local data directory).
#include <algorithm>
#include <sstream>

#include "commands.h"
#include "key_files.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/note/witness_time.h"
#include "ledger/record/leaf.h"
#include "ledger/store/notary_records.h"
#include "ledger/store/retention.h"
#include "local_log.h"
#include "notary_evidence_check.h"
#include "witness_policy.h"

namespace ledger::cli {
namespace {

// A receipt with its notary evidence is a few KiB; anything near this is not one.
constexpr size_t kMaxReceiptFileSize = 4 << 20;


// "consistency <size1> <size2>\n" then one base64 hash per line.
struct ConsistencyFile {
  uint64_t size1 = 0, size2 = 0;
  std::vector<Hash> proof;
};

Result<ConsistencyFile> ParseConsistencyFile(const std::string& text) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("malformed_proof", "consistency proof file: " + why);
  };
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) return bad("empty");
  std::istringstream head(line);
  std::string word, s1, s2, extra;
  head >> word >> s1 >> s2;
  if (word != "consistency" || s1.empty() || s2.empty() || (head >> extra)) {
    return bad("first line must be 'consistency <size1> <size2>'");
  }
  ConsistencyFile f;
  ASSIGN_OR_RETURN(f.size1, ParseU64(s1, "size1"));
  ASSIGN_OR_RETURN(f.size2, ParseU64(s2, "size2"));
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (f.proof.size() == 64) return bad("more than 64 hashes");
    auto h = Hash::FromBase64(line);
    if (!h.ok()) return bad("bad hash line");
    f.proof.push_back(*h);
  }
  return f;
}

}  // namespace

Result<std::unique_ptr<note::Verifier>> LoadVerifierKey(const std::string& value) {
  auto direct = note::ParseVerifierKey(value);
  if (direct.ok()) return direct;
  auto file = ReadFile(value);
  if (!file.ok()) {
    return Status::InvalidArgument("bad_verifier_key",
                                   "--vkey is neither a verifier key nor a readable file");
  }
  return note::ParseVerifierKey(Trim(*file));
}

namespace {

// A receipt file: the C2SP tlog-proof text, or ledgerd's receipt JSON (the
// object itself, or one result of POST /v1/entries: {"receipt": {...}}),
// whose "tlog_proof" is that text and whose "notary" is the evidence
// --pcr0/--root check (receipt.md §4).
struct ReceiptFile {
  TlogProof proof;
  std::optional<NotaryEvidence> notary;
};

Result<ReceiptFile> ParseReceiptFile(const std::string& text) {
  ReceiptFile out;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') {
    ASSIGN_OR_RETURN(out.proof, ParseTlogProof(text));
    return out;
  }
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("malformed_receipt", "receipt JSON: " + why);
  };
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(text, kMaxReceiptFileSize));
  if (j.is_object() && j.contains("receipt")) j = j["receipt"];
  if (!j.is_object() || !j.contains("tlog_proof") || !j["tlog_proof"].is_string()) {
    return bad("no tlog_proof");
  }
  ASSIGN_OR_RETURN(out.proof, ParseTlogProof(j["tlog_proof"].get<std::string>()));
  if (j.contains("notary") && !j["notary"].is_null()) {
    ASSIGN_OR_RETURN(out.notary, codec::NotaryEvidenceFromJson(j["notary"]));
  }
  return out;
}

}  // namespace

Status CmdVerifyInclusion(const Args& a, const Output& o) {
  RETURN_IF_ERROR(
      a.Allow(CodePinOptions(WitnessPolicyOptions({"vkey", "leaf-hash", "json"}))));
  ASSIGN_OR_RETURN(std::string vkey, a.Required("vkey"));
  ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(vkey));
  // Witness policy (tlog-proof: "checkpoint signature + witness policy"):
  // the deployment's K witnesses must have cosigned.
  ASSIGN_OR_RETURN(WitnessPolicy policy, LoadWitnessPolicy(a, *verifier));
  ASSIGN_OR_RETURN(std::optional<CodePins> pins, LoadCodePins(a, *verifier));
  if (a.positional().size() < 3) {
    return Status::InvalidArgument("missing_receipt", "RECEIPT file is required");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(a.positional()[2]));
  ASSIGN_OR_RETURN(ReceiptFile receipt, ParseReceiptFile(text));
  const TlogProof& proof = receipt.proof;
  Hash leaf_hash;
  if (auto hex = a.Get("leaf-hash")) {
    ASSIGN_OR_RETURN(leaf_hash, Hash::FromHex(*hex));
    if (proof.extra && merkle::LeafHash(*proof.extra) != leaf_hash) {
      return Status::VerificationFailed("leaf_mismatch",
                                        "the receipt's leaf does not hash to --leaf-hash");
    }
  } else if (proof.extra) {
    leaf_hash = merkle::LeafHash(*proof.extra);
  } else {
    return Status::InvalidArgument("missing_leaf",
                                   "the receipt carries no leaf: pass --leaf-hash");
  }
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc,
                   VerifyTlogProof(proof, leaf_hash, *verifier, policy.Pointers(), policy.quorum));
  if (proof.extra) {
    // The entry cannot be dated after the witnesses saw it (witness_time.h).
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(*proof.extra));
    RETURN_IF_ERROR(CheckRecordedAt(leaf.recorded_at_us, vc.cosignatures, policy.quorum));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> code,
                   CheckCode(pins, receipt.notary, proof.index, vc.checkpoint, *verifier));
  std::string line = "OK: entry " + std::to_string(proof.index) + " (leaf " + leaf_hash.Hex() +
                     ") is in " + vc.checkpoint.origin + " at size " +
                     std::to_string(vc.checkpoint.size) + ", signed by " + verifier->VerifierKey() +
                     ", " +
                     DescribeWitnessing(policy, vc.cosignatures.size(),
                                        a.Flag("allow-unwitnessed")) +
                     (code ? ", " + *code : std::string()) + "\n";
  nlohmann::json doc = {{"verified", true},
                        {"index", proof.index},
                        {"leaf_hash", leaf_hash.Hex()},
                        {"origin", vc.checkpoint.origin},
                        {"tree_size", vc.checkpoint.size},
                        {"root", vc.checkpoint.root.Base64()},
                        {"cosignatures", vc.cosignatures.size()}};
  if (code) {
    doc["pcr0"] = HexEncode(pins->pcr0);
    doc["boot_index"] = receipt.notary->boot_index;
  }
  o.Print(doc, line);
  return Status::Ok();
}

Status CmdVerifyConsistency(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow(WitnessPolicyOptions({"vkey", "old", "new", "json"})));
  ASSIGN_OR_RETURN(std::string vkey, a.Required("vkey"));
  ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(vkey));
  ASSIGN_OR_RETURN(WitnessPolicy policy, LoadWitnessPolicy(a, *verifier));
  ASSIGN_OR_RETURN(std::string old_path, a.Required("old"));
  ASSIGN_OR_RETURN(std::string new_path, a.Required("new"));
  if (a.positional().size() < 3) {
    return Status::InvalidArgument("missing_proof", "PROOF file is required");
  }
  ASSIGN_OR_RETURN(std::string old_note, ReadFile(old_path));
  ASSIGN_OR_RETURN(std::string new_note, ReadFile(new_path));
  ASSIGN_OR_RETURN(std::string proof_text, ReadFile(a.positional()[2]));
  // Both ends must be witnessed: a consistency proof between a checkpoint
  // and one the notary signed on a rolled-back head proves nothing useful.
  auto c1 = VerifyCheckpoint(old_note, *verifier, policy);
  if (!c1.ok()) return c1.status().Annotate("old checkpoint");
  auto c2 = VerifyCheckpoint(new_note, *verifier, policy);
  if (!c2.ok()) return c2.status().Annotate("new checkpoint");
  ASSIGN_OR_RETURN(ConsistencyFile f, ParseConsistencyFile(proof_text));
  if (f.size1 != c1->checkpoint.size || f.size2 != c2->checkpoint.size) {
    return Status::VerificationFailed("size_mismatch",
                                      "the proof's sizes are not the checkpoints' sizes");
  }
  RETURN_IF_ERROR(merkle::VerifyConsistency(f.size1, f.size2, f.proof, c1->checkpoint.root,
                                            c2->checkpoint.root));
  o.Print({{"verified", true}, {"size1", f.size1}, {"size2", f.size2}},
          "OK: checkpoint " + std::to_string(f.size2) + " extends checkpoint " +
              std::to_string(f.size1) + " of " + c1->checkpoint.origin + ", " +
              DescribeWitnessing(policy, std::min(c1->cosignatures.size(), c2->cosignatures.size()),
                                 a.Flag("allow-unwitnessed")) +
              "\n");
  return Status::Ok();
}

Status CmdVerifyStore(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "vkey", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  std::string pinned;
  if (auto v = a.Get("vkey")) {
    ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(*v));
    pinned = verifier->VerifierKey();
  }
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false, pinned));
  RETURN_IF_ERROR(log->store().Audit());
  // Every disposal, hold and retention change against the log's own history.
  RETURN_IF_ERROR(store::AuditRetention(log->store()));
  // The notary's own records carry the log key's stamp (ledger/record/ownership.h).
  RETURN_IF_ERROR(store::AuditNotaryRecords(log->store()));
  auto cp = log->store().latest().checkpoint;
  o.Print({{"verified", true}, {"size", cp.size}, {"root", cp.root.Base64()}},
          "OK: " + std::to_string(cp.size) +
              " entries, every leaf, hash-chain link, tile and checkpoint verified; retention "
              "history consistent; boot and policy entries stamped by the log key\n");
  return Status::Ok();
}

}  // namespace ledger::cli
