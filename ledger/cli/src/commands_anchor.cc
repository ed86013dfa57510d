// verify-anchor: checks an ANCHOR_CONFIRMED entry (anchor/README.md,
// "Verifying an anchor"), from a receipt of it as ledgerd or the explorer
// returns it (GET /v1/entries/N/receipt: JSON with "tlog_proof", or the
// tlog-proof text itself, whose extra data is the leaf).
//
// The receipt's inclusion in a checkpoint signed by the pinned key is
// checked first; then the recorded evidence offline, and with --rpc the
// chain (verify/verify_anchor.h lists every check).
#include <nlohmann/json.hpp>

#include <openssl/crypto.h>

#include "commands.h"
#include "evm/signing.h"
#include "key_files.h"
#include "ledger/crypto/sealed_box.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/trust/manifest.h"
#include "ledger/trust/quorum.h"
#include "ledger/trust/registry_statement.h"
#include "local_log.h"
#include "verify/verify_anchor.h"
#include "witness_policy.h"

namespace ledger::cli {

Status CmdVerifyAnchor(const Args& a, const Output& o) {
  // --manifest is both the witness policy (witness_policy.h) and the
  // registry's chain and contract.
  RETURN_IF_ERROR(a.Allow(WitnessPolicyOptions(
      {"vkey", "chain-id", "contract", "notary", "rpc", "ca", "tsa-ca", "json"})));
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

  anchor::verify::VerifyAnchorOptions options;
  options.log_key = verifier.get();
  // The manifest the witness policy came from (the newest if several).
  ASSIGN_OR_RETURN(std::optional<Manifest> manifest, NewestManifest(a, *verifier));
  if (manifest) {
    if (!manifest->registry_chain_id || !manifest->registry_address) {
      return Status::InvalidArgument("registry_not_configured",
                                     "the manifest names no registry chain and contract");
    }
    options.chain_id = *manifest->registry_chain_id;
    options.contract = anchor::evm::Address{*manifest->registry_address};
  }
  if (auto c = a.Get("chain-id")) {
    ASSIGN_OR_RETURN(options.chain_id, ParseU64(*c, "--chain-id"));
  }
  if (auto c = a.Get("contract")) {
    ASSIGN_OR_RETURN(options.contract, anchor::evm::Address::FromHex(*c));
  }
  if (auto n = a.Get("notary")) {
    ASSIGN_OR_RETURN(auto notary, anchor::evm::Address::FromHex(*n));
    options.notary = notary;
  }
  if (!options.notary || !options.chain_id || !options.contract) {
    return Status::InvalidArgument("missing_pins",
                                   "verify-anchor needs --notary 0xADDR and the registry: "
                                   "--manifest FILE, or --chain-id N and --contract 0xADDR");
  }
  if (auto ca = a.Get("tsa-ca")) {
    ASSIGN_OR_RETURN(options.tsa_ca_pem, ReadFile(*ca));
  }
  std::unique_ptr<anchor::evm::rpc::Client> rpc;
  if (auto url = a.Get("rpc")) {
    // An https node is verified against --ca, or the system's store.
    anchor::evm::rpc::ClientOptions rpc_options;
    if (auto ca = a.Get("ca")) rpc_options.ca_file = *ca;
    ASSIGN_OR_RETURN(rpc, anchor::evm::rpc::Client::Create(*url, rpc_options));
    options.rpc = rpc.get();
  } else if (a.Get("ca")) {
    return Status::InvalidArgument("bad_usage", "--ca is for an https --rpc URL");
  }
  ASSIGN_OR_RETURN(auto v, anchor::verify::VerifyAnchorEntry(*proof.extra, options));
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
                        {"notary_pinned", true},
                        {"online", v.online},
                        {"timestamped", !r.timestamp_token.empty()},
                        {"timestamp_verified", v.timestamp_verified}};
  std::string line = "OK: entry " + std::to_string(proof.index) + " anchors " +
                     vc.checkpoint.origin + " at size " + std::to_string(r.statement.tree_size) +
                     " in " + r.contract.Hex() + " on chain " + std::to_string(r.chain_id) +
                     " (tx 0x" + r.tx_hash.Hex() + ", block " + std::to_string(r.block_number) +
                     "), statement signed by " + v.signer.Hex() + " (the pinned notary); receipt " +
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

// registry-rekey: the Rekey statement (registry-statement.md §6) by which a
// log's current registry key hands the log over to another registry address,
// signed by the quorum: k operators' genesis shares are opened with their
// keys and combined (checked against the manifest's quorum key), the registry
// key is derived as the notary derives it (keys.md §4), and the statement is
// signed for the manifest's registry. Run offline, like the genesis ceremony;
// the secret and the shares are cleansed. Anyone may then submit it:
//   cast send REGISTRY "rekey(bytes32,address,bytes)" LOG_ID NEW 0xSIGNATURE
Status CmdRegistryRekey(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"manifest", "key", "share", "new-notary", "nonce", "json"}));
  ASSIGN_OR_RETURN(std::string manifest_path, a.Required("manifest"));
  ASSIGN_OR_RETURN(Manifest m, ReadManifest(manifest_path));
  if (!m.registry_chain_id || !m.registry_address) {
    return Status::InvalidArgument("registry_not_configured",
                                   "the manifest names no registry chain and contract");
  }
  ASSIGN_OR_RETURN(std::string to, a.Required("new-notary"));
  ASSIGN_OR_RETURN(auto new_notary, anchor::evm::Address::FromHex(to));
  ASSIGN_OR_RETURN(uint64_t nonce, a.U64("nonce", 0));
  if (nonce > UINT32_MAX) return Status::InvalidArgument("bad_number", "--nonce is a uint32");
  const std::vector<std::string> keys = a.GetAll("key"), share_files = a.GetAll("share");
  if (keys.size() != share_files.size()) {
    return Status::InvalidArgument("bad_shares", "give one --key per --share, in the same order");
  }
  std::vector<Bytes> shares;
  auto cleanse = [&shares] {
    for (Bytes& s : shares) OPENSSL_cleanse(s.data(), s.size());
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    auto key = ReadOperatorKey(keys[i]);
    auto sealed = key.ok() ? ReadFile(share_files[i]) : Result<std::string>(key.status());
    auto share = sealed.ok() ? Open(*key, AsBytes(*sealed), AsBytes(kOperatorShareContext))
                             : Result<Bytes>(sealed.status());
    if (!share.ok()) {
      cleanse();
      return share.status().Annotate(share_files[i]);
    }
    shares.push_back(std::move(share).value());
  }
  auto secret = CombineShares(shares, m.threshold, m.quorum_public_key);
  cleanse();
  if (!secret.ok()) return secret.status();
  ASSIGN_OR_RETURN(Secp256k1KeyPair registry, DeriveRegistryKey(*secret, m.origin));
  registry::RekeyStatement r{registry::LogIdForOrigin(m.origin), new_notary.bytes,
                             static_cast<uint32_t>(nonce)};
  ASSIGN_OR_RETURN(auto signature, registry::SignRekey(registry.secret_key, *m.registry_chain_id,
                                                       *m.registry_address, r));
  ASSIGN_OR_RETURN(auto current, anchor::evm::AddressFromPublicKey(registry.public_key));
  const std::string sig_hex = "0x" + HexEncode(signature);
  o.Print({{"log_id", "0x" + r.log_id.Hex()},
           {"current_notary", current.Hex()},
           {"new_notary", new_notary.Hex()},
           {"nonce", nonce},
           {"chain_id", *m.registry_chain_id},
           {"contract", anchor::evm::Address{*m.registry_address}.Hex()},
           {"signature", sig_hex}},
          sig_hex + "\n");
  return Status::Ok();
}

}  // namespace ledger::cli
