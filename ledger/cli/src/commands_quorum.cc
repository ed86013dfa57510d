// The quorum ceremony: operator keys, quorum genesis, and the manifest
// (create, show, approve, verify). Formats: schemas/formats/manifest.md,
// sealed-box.md and keys.md; docs/operations.md walks through the ceremony.
//
// Files written here:
//   operator key      hex P-256 scalar + "\n", mode 0600, never overwritten;
//   <key>.pub         hex SEC1 uncompressed public key + "\n";
//   <dir>/<name>.share  the operator's sealed share (binary sealed box);
//   <dir>/quorum.pub  hex Ed25519 quorum public key + "\n";
//   manifest, approval  their binary encodings.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "commands.h"
#include "key_files.h"
#include "ledger/files/write_file.h"
#include "ledger/trust/manifest.h"
#include "ledger/trust/quorum.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

// --operator NAME=PUBKEYFILE, repeated.
Result<std::vector<ManifestOperator>> ParseOperators(const Args& a) {
  std::vector<ManifestOperator> ops;
  for (const std::string& v : a.GetAll("operator")) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
      return Status::InvalidArgument("bad_operator", "--operator must be NAME=PUBKEYFILE");
    }
    ASSIGN_OR_RETURN(P256PublicKey key, ReadP256PublicKey(v.substr(eq + 1)));
    ops.push_back({v.substr(0, eq), key});
  }
  if (ops.empty()) return Status::InvalidArgument("missing_option", "--operator is required");
  return ops;
}

Result<uint8_t> ParseSmall(const Args& a, const std::string& name, bool required) {
  if (!required && !a.Get(name)) return uint8_t{0};
  ASSIGN_OR_RETURN(std::string s, a.Required(name));
  ASSIGN_OR_RETURN(uint64_t v, ParseU64(s, "--" + name));
  if (v > 255) return Status::InvalidArgument("bad_number", "--" + name + " must be at most 255");
  return static_cast<uint8_t>(v);
}

template <size_t N>
Result<std::array<uint8_t, N>> ParseFixedHex(const std::string& hex, const std::string& what) {
  auto b = HexDecode(hex.rfind("0x", 0) == 0 ? hex.substr(2) : hex);
  if (!b.ok() || b->size() != N) {
    return Status::InvalidArgument("bad_hex", what + " must be " + std::to_string(N) + " hex bytes");
  }
  std::array<uint8_t, N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

nlohmann::json ManifestJson(const Manifest& m, const Hash& digest) {
  nlohmann::json ops = nlohmann::json::array(), subs = nlohmann::json::array();
  for (const auto& op : m.operators) ops.push_back({{"name", op.name}, {"public_key", op.public_key.Hex()}});
  for (const auto& s : m.submitters) subs.push_back(SubmitterJson(s));
  nlohmann::json j = {{"digest", digest.Hex()},
                      {"nonce", m.nonce},
                      {"origin", m.origin},
                      {"pcr0", HexEncode(m.pcr0)},
                      {"operators", ops},
                      {"threshold", m.threshold},
                      {"quorum_public_key", HexEncode(m.quorum_public_key.view())},
                      {"submitters", subs},
                      {"witnesses", m.witnesses},
                      {"witness_quorum", m.witness_quorum}};
  if (m.pcr1) j["pcr1"] = HexEncode(*m.pcr1);
  if (m.pcr2) j["pcr2"] = HexEncode(*m.pcr2);
  if (m.registry_chain_id) j["registry_chain_id"] = *m.registry_chain_id;
  if (m.registry_address) j["registry_address"] = "0x" + HexEncode(*m.registry_address);
  if (m.predecessor) j["predecessor"] = m.predecessor->Hex();
  return j;
}

}  // namespace

Status CmdOperatorKey(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"out", "json"}));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  ASSIGN_OR_RETURN(P256PrivateKey key, P256PrivateKey::Generate());
  Bytes scalar = key.ExportScalar();
  std::string text = HexEncode(scalar) + "\n";
  OPENSSL_cleanse(scalar.data(), scalar.size());
  Status written = files::WriteFile(out, text, {.secret = true, .exclusive = true});
  OPENSSL_cleanse(text.data(), text.size());
  RETURN_IF_ERROR(written);
  const std::string pub = key.public_key().Hex();
  RETURN_IF_ERROR(files::WriteFile(out + ".pub", pub + "\n"));
  o.Print({{"key_file", out}, {"public_key_file", out + ".pub"}, {"public_key", pub}},
          pub + "\n");
  return Status::Ok();
}

Status CmdQuorumGenesis(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"operator", "threshold", "out", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("out"));
  ASSIGN_OR_RETURN(std::vector<ManifestOperator> ops, ParseOperators(a));
  ASSIGN_OR_RETURN(uint8_t k, ParseSmall(a, "threshold", true));
  std::vector<P256PublicKey> keys;
  for (const auto& op : ops) {
    // The name becomes a file name; the manifest checks the same set later.
    if (!note::IsValidKeyName(op.name) || op.name.find('/') != std::string::npos ||
        op.name[0] == '.') {
      return Status::InvalidArgument("bad_operator", "operator name '" + op.name +
                                                         "' must be a key name without '/'");
    }
    for (const auto& other : keys) {
      if (other == op.public_key) return Status::InvalidArgument("bad_operator", "duplicate operator key");
    }
    keys.push_back(op.public_key);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("write_failed", "cannot create " + dir);
  ASSIGN_OR_RETURN(QuorumShares shares, QuorumGenesis(keys, k, AsBytes(kOperatorShareContext)));
  nlohmann::json files = nlohmann::json::object();
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string path = dir + "/" + ops[i].name + ".share";
    RETURN_IF_ERROR(files::WriteFile(path, AsString(shares.sealed_shares[i])));
    files[ops[i].name] = path;
  }
  const std::string pub = HexEncode(shares.quorum_public_key.view());
  RETURN_IF_ERROR(files::WriteFile(dir + "/quorum.pub", pub + "\n"));
  o.Print({{"quorum_public_key", pub}, {"threshold", k}, {"shares", files}},
          pub + "\n");
  return Status::Ok();
}

Status CmdManifestCreate(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"origin", "pcr0", "pcr1", "pcr2", "operator", "threshold", "quorum-pub",
                           "submitter", "subjects", "witness", "witness-quorum", "nonce",
                           "chain-id", "registry", "predecessor", "out", "json"}));
  Manifest m;
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  ASSIGN_OR_RETURN(m.origin, a.Required("origin"));
  ASSIGN_OR_RETURN(std::string pcr0, a.Required("pcr0"));
  ASSIGN_OR_RETURN(m.pcr0, ParseFixedHex<kPcrSize>(pcr0, "--pcr0"));
  if (auto v = a.Get("pcr1")) {
    ASSIGN_OR_RETURN(m.pcr1, ParseFixedHex<kPcrSize>(*v, "--pcr1"));
  }
  if (auto v = a.Get("pcr2")) {
    ASSIGN_OR_RETURN(m.pcr2, ParseFixedHex<kPcrSize>(*v, "--pcr2"));
  }
  ASSIGN_OR_RETURN(m.operators, ParseOperators(a));
  ASSIGN_OR_RETURN(m.threshold, ParseSmall(a, "threshold", true));
  ASSIGN_OR_RETURN(std::string quorum_pub, a.Required("quorum-pub"));
  ASSIGN_OR_RETURN(m.quorum_public_key, ReadQuorumPublicKey(quorum_pub));
  ASSIGN_OR_RETURN(m.submitters, ParseSubmitters(a));
  for (const std::string& w : a.GetAll("witness")) {
    ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(w));
    m.witnesses.push_back(verifier->VerifierKey());
  }
  ASSIGN_OR_RETURN(m.witness_quorum, ParseSmall(a, "witness-quorum", false));
  ASSIGN_OR_RETURN(m.nonce, a.U64("nonce", 0));
  if (auto v = a.Get("chain-id")) {
    ASSIGN_OR_RETURN(m.registry_chain_id, ParseU64(*v, "--chain-id"));
  }
  if (auto v = a.Get("registry")) {
    ASSIGN_OR_RETURN(m.registry_address, ParseFixedHex<kRegistryAddressSize>(*v, "--registry"));
  }
  // The manifest in force, which this one replaces (manifest.md §6).
  if (auto v = a.Get("predecessor")) {
    ASSIGN_OR_RETURN(Manifest old, ReadManifest(*v));
    if (old.origin != m.origin) {
      return Status::InvalidArgument("bad_manifest", "--predecessor is a manifest of another log");
    }
    ASSIGN_OR_RETURN(m.predecessor, ManifestDigest(old));
  }
  ASSIGN_OR_RETURN(Bytes enc, EncodeManifest(m));
  RETURN_IF_ERROR(files::WriteFile(out, AsString(enc)));
  const Hash digest = ManifestDigest(enc);
  o.Print({{"manifest", out}, {"digest", digest.Hex()}}, digest.Hex() + "\n");
  return Status::Ok();
}

Status CmdManifestShow(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"json"}));
  ASSIGN_OR_RETURN(std::string path, Positional(a, 2, "manifest FILE"));
  ASSIGN_OR_RETURN(Manifest m, ReadManifest(path));
  ASSIGN_OR_RETURN(Hash digest, ManifestDigest(m));
  std::string text = "digest " + digest.Hex() + "\norigin " + m.origin + "\nnonce " +
                     std::to_string(m.nonce) + "\npcr0 " + HexEncode(m.pcr0) + "\n";
  if (m.pcr1) text += "pcr1 " + HexEncode(*m.pcr1) + "\n";
  if (m.pcr2) text += "pcr2 " + HexEncode(*m.pcr2) + "\n";
  text += "quorum " + HexEncode(m.quorum_public_key.view()) + " threshold " +
          std::to_string(m.threshold) + " of " + std::to_string(m.operators.size()) + "\n";
  for (const auto& op : m.operators) text += "operator " + op.name + " " + op.public_key.Hex() + "\n";
  for (const auto& s : m.submitters) text += SubmitterLine(s);
  for (const auto& w : m.witnesses) text += "witness " + w + "\n";
  text += "witness-quorum " + std::to_string(m.witness_quorum) + "\n";
  if (m.registry_chain_id) text += "registry-chain-id " + std::to_string(*m.registry_chain_id) + "\n";
  if (m.registry_address) text += "registry-address 0x" + HexEncode(*m.registry_address) + "\n";
  if (m.predecessor) text += "predecessor " + m.predecessor->Hex() + "\n";
  o.Print(ManifestJson(m, digest), text);
  return Status::Ok();
}

Status CmdManifestApprove(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"key", "name", "out", "json"}));
  ASSIGN_OR_RETURN(std::string key_path, a.Required("key"));
  ASSIGN_OR_RETURN(std::string name, a.Required("name"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  ASSIGN_OR_RETURN(std::string path, Positional(a, 2, "manifest FILE"));
  ASSIGN_OR_RETURN(Manifest m, ReadManifest(path));
  ASSIGN_OR_RETURN(P256PrivateKey key, ReadOperatorKey(key_path));
  // Refuse to sign what would not count: an operator approves only as itself.
  const ManifestOperator* op = FindOperator(m, name);
  if (op == nullptr || !(op->public_key == key.public_key())) {
    return Status::FailedPrecondition("not_an_operator",
                                      "'" + name + "' with this key is not an operator of the manifest");
  }
  ASSIGN_OR_RETURN(Hash digest, ManifestDigest(m));
  ASSIGN_OR_RETURN(Approval approval, ApproveManifest(digest, name, key));
  ASSIGN_OR_RETURN(Bytes enc, EncodeApproval(approval));
  RETURN_IF_ERROR(files::WriteFile(out, AsString(enc)));
  o.Print({{"approval", out}, {"operator", name}, {"digest", digest.Hex()}},
          "approved " + digest.Hex() + " as " + name + "\n");
  return Status::Ok();
}

Status CmdManifestVerify(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"json"}));
  ASSIGN_OR_RETURN(std::string path, Positional(a, 2, "manifest FILE"));
  ASSIGN_OR_RETURN(Manifest m, ReadManifest(path));
  std::vector<Approval> approvals;
  nlohmann::json names = nlohmann::json::array();
  for (size_t i = 3; i < a.positional().size(); ++i) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(a.positional()[i]));
    ASSIGN_OR_RETURN(Approval ap, DecodeApproval(AsBytes(bytes)));
    names.push_back(ap.operator_name);
    approvals.push_back(std::move(ap));
  }
  RETURN_IF_ERROR(VerifyApprovals(m, approvals));
  ASSIGN_OR_RETURN(Hash digest, ManifestDigest(m));
  o.Print({{"ok", true}, {"digest", digest.Hex()}, {"approved_by", names},
           {"threshold", m.threshold}},
          "ok: " + std::to_string(approvals.size()) + " approvals of " +
              std::to_string(m.operators.size()) + " operators, threshold " +
              std::to_string(m.threshold) + ", manifest " + digest.Hex() + "\n");
  return Status::Ok();
}

}  // namespace ledger::cli
