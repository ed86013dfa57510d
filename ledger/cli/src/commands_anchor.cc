// verify-anchor: checks an ANCHOR_CONFIRMED entry (anchor/README.md,
// "Verifying an anchor"), from a receipt of it as ledgerd or the explorer
// returns it (GET /v1/entries/N/receipt: JSON with "tlog_proof", or the
// tlog-proof text itself, whose extra data is the leaf).
//
// The receipt's inclusion in a checkpoint signed by the pinned key is
// checked first; then the recorded evidence offline, and with --rpc the
// chain (anchord/verify_anchor.h lists every check).
#include <nlohmann/json.hpp>

#include "anchord/verify_anchor.h"
#include "commands.h"
#include "ledger/manifest.h"
#include "ledger/merkle.h"
#include "ledger/tlog_proof.h"
#include "local_log.h"
#include "witness_policy.h"

namespace ledger::cli {

Status CmdVerifyAnchor(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow(WitnessPolicyOptions({"vkey", "notary", "rpc", "tsa-ca", "json"})));
  ASSIGN_OR_RETURN(std::string vkey, a.Required("vkey"));
  ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(vkey));
  ASSIGN_OR_RETURN(WitnessPolicy policy, LoadWitnessPolicy(a, *verifier));
  if (a.positional().size() < 2) {
    return Status::InvalidArgument("missing_receipt", "RECEIPT file is required");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(a.positional()[1]));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_object()) {
    if (!j.contains("tlog_proof") || !j["tlog_proof"].is_string()) {
      return Status::InvalidArgument("bad_receipt", "the receipt JSON has no tlog_proof");
    }
    text = j["tlog_proof"].get<std::string>();
  }
  ASSIGN_OR_RETURN(TlogProof proof, ParseTlogProof(text));
  if (!proof.extra) {
    return Status::InvalidArgument("missing_leaf", "the receipt carries no leaf");
  }
  ASSIGN_OR_RETURN(VerifiedCheckpoint vc,
                   VerifyTlogProof(proof, merkle::LeafHash(*proof.extra), *verifier,
                                   policy.Pointers(), policy.quorum));

  anchor::anchord::VerifyAnchorOptions options;
  options.log_key = verifier.get();
  if (auto m = a.Get("manifest")) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(*m));
    ASSIGN_OR_RETURN(Manifest manifest, DecodeManifest(AsBytes(bytes)));
    if (!manifest.registry_chain_id || !manifest.registry_address) {
      return Status::InvalidArgument("registry_not_configured",
                                     "the manifest names no registry chain and contract");
    }
    options.chain_id = *manifest.registry_chain_id;
    options.contract = anchor::evm::Address{*manifest.registry_address};
  }
  if (auto n = a.Get("notary")) {
    ASSIGN_OR_RETURN(auto notary, anchor::evm::Address::FromHex(*n));
    options.notary = notary;
  }
  if (auto ca = a.Get("tsa-ca")) {
    ASSIGN_OR_RETURN(options.tsa_ca_pem, ReadFile(*ca));
  }
  std::unique_ptr<anchor::evm::rpc::Client> rpc;
  if (auto url = a.Get("rpc")) {
    ASSIGN_OR_RETURN(rpc, anchor::evm::rpc::Client::Create(*url));
    options.rpc = rpc.get();
  }
  ASSIGN_OR_RETURN(auto v, anchor::anchord::VerifyAnchorEntry(*proof.extra, options));
  const auto& r = v.record;
  nlohmann::json doc = {{"index", proof.index},
                        {"in_checkpoint_size", vc.checkpoint.size},
                        {"cosignatures", vc.cosignatures.size()},
                        {"chain_id", r.chain_id},
                        {"contract", r.contract.Hex()},
                        {"tx_hash", "0x" + r.tx_hash.Hex()},
                        {"block_number", r.block_number},
                        {"block_hash", "0x" + r.block_hash.Hex()},
                        {"tree_size", r.statement.tree_size},
                        {"root_hash", r.statement.root_hash.Hex()},
                        {"map_root", r.statement.map_root.Hex()},
                        {"signer", v.signer.Hex()},
                        {"notary_pinned", options.notary.has_value()},
                        {"online", v.online},
                        {"timestamped", !r.timestamp_token.empty()},
                        {"timestamp_verified", v.timestamp_verified}};
  std::string line = "OK: entry " + std::to_string(proof.index) + " anchors " +
                     vc.checkpoint.origin + " at size " + std::to_string(r.statement.tree_size) +
                     " in " + r.contract.Hex() + " on chain " + std::to_string(r.chain_id) +
                     " (tx 0x" + r.tx_hash.Hex() + ", block " + std::to_string(r.block_number) +
                     "), statement signed by " + v.signer.Hex() +
                     (options.notary ? " (the pinned notary)" : " (no --notary pinned)") +
                     "; receipt " +
                     DescribeWitnessing(policy, vc.cosignatures.size(), a.Flag("allow-unwitnessed"));
  if (v.timestamp_verified) {
    doc["timestamp_gen_time"] = v.timestamp_gen_time;
    line += "; RFC 3161 token verified (genTime " + std::to_string(v.timestamp_gen_time) + ")";
  } else if (!r.timestamp_token.empty()) {
    line += "; RFC 3161 token not checked (pass --tsa-ca)";
  }
  if (v.online) {
    doc["confirmations"] = v.confirmations;
    line += "; on chain with " + std::to_string(v.confirmations) + " confirmations";
  } else {
    line += "; offline (pass --rpc URL to check the chain)";
  }
  o.Print(doc, line + "\n");
  return Status::Ok();
}

}  // namespace ledger::cli
