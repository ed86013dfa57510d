// The submitter policy (schemas/formats/policy.md): create, show, approve,
// and apply to a notary-mode log. Files: a policy and an approval are their
// binary encodings.
#include <nlohmann/json.hpp>

#include "commands.h"
#include "key_files.h"
#include "ledger/files/write_file.h"
#include "ledger/trust/policy.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

Result<Bytes> ReadPolicyFile(const std::string& path, Policy* policy) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  ASSIGN_OR_RETURN(*policy, DecodePolicy(AsBytes(bytes)));
  return ToBytes(bytes);
}

nlohmann::json PolicyJson(const Policy& p, const Hash& digest) {
  nlohmann::json subs = nlohmann::json::array();
  for (const auto& s : p.submitters) subs.push_back(SubmitterJson(s));
  return {{"version", p.version},
          {"digest", digest.Hex()},
          {"checkpoint_line", PolicyExtensionLine(p.version, digest)},
          {"submitters", subs}};
}

}  // namespace

Status CmdPolicyCreate(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"version", "submitter", "subjects", "out", "json"}));
  ASSIGN_OR_RETURN(std::string version, a.Required("version"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  Policy p;
  ASSIGN_OR_RETURN(p.version, ParseU64(version, "--version"));
  ASSIGN_OR_RETURN(p.submitters, ParseSubmitters(a));
  ASSIGN_OR_RETURN(Bytes enc, EncodePolicy(p));
  RETURN_IF_ERROR(files::WriteFile(out, AsString(enc)));
  const Hash digest = PolicyDigest(enc);
  o.Print({{"policy", out}, {"version", p.version}, {"digest", digest.Hex()}}, digest.Hex() + "\n");
  return Status::Ok();
}

Status CmdPolicyShow(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"json"}));
  ASSIGN_OR_RETURN(std::string path, Positional(a, 2, "policy FILE"));
  Policy p;
  ASSIGN_OR_RETURN(Bytes enc, ReadPolicyFile(path, &p));
  const Hash digest = PolicyDigest(enc);
  std::string text = "version " + std::to_string(p.version) + "\ndigest " + digest.Hex() +
                     "\ncheckpoint-line " + PolicyExtensionLine(p.version, digest) + "\n";
  for (const auto& s : p.submitters) text += SubmitterLine(s);
  o.Print(PolicyJson(p, digest), text);
  return Status::Ok();
}

Status CmdPolicyApprove(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"key", "name", "manifest", "out", "json"}));
  ASSIGN_OR_RETURN(std::string key_path, a.Required("key"));
  ASSIGN_OR_RETURN(std::string name, a.Required("name"));
  ASSIGN_OR_RETURN(std::string manifest_path, a.Required("manifest"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  ASSIGN_OR_RETURN(std::string path, Positional(a, 2, "policy FILE"));
  Policy p;
  ASSIGN_OR_RETURN(Bytes enc, ReadPolicyFile(path, &p));
  ASSIGN_OR_RETURN(Manifest m, ReadManifest(manifest_path));
  ASSIGN_OR_RETURN(P256PrivateKey key, ReadOperatorKey(key_path));
  // As for manifests: an operator approves only as itself.
  const ManifestOperator* op = FindOperator(m, name);
  if (op == nullptr || !(op->public_key == key.public_key())) {
    return Status::FailedPrecondition("not_an_operator",
                                      "'" + name + "' with this key is not an operator of the manifest");
  }
  ASSIGN_OR_RETURN(Hash manifest_digest, ManifestDigest(m));
  const Hash digest = PolicyDigest(enc);
  ASSIGN_OR_RETURN(Approval approval, ApprovePolicy(manifest_digest, digest, name, key));
  ASSIGN_OR_RETURN(Bytes approval_bytes, EncodeApproval(approval));
  RETURN_IF_ERROR(files::WriteFile(out, AsString(approval_bytes)));
  o.Print({{"approval", out}, {"operator", name}, {"version", p.version}, {"digest", digest.Hex()}},
          "approved policy " + std::to_string(p.version) + " " + digest.Hex() + " as " + name +
              "\n");
  return Status::Ok();
}

Status CmdPolicyApply(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "approval", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(std::string path, Positional(a, 2, "policy FILE"));
  Policy p;
  ASSIGN_OR_RETURN(Bytes enc, ReadPolicyFile(path, &p));
  std::vector<Bytes> approvals;
  for (const std::string& f : a.GetAll("approval")) {
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(f));
    approvals.push_back(ToBytes(bytes));
  }
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, true));
  ASSIGN_OR_RETURN(SequencedBatch batch, log->ChangePolicy(enc, approvals));
  const Hash digest = PolicyDigest(enc);
  o.Print({{"version", p.version},
           {"digest", digest.Hex()},
           {"index", batch.first_index},
           {"checkpoint", batch.checkpoint_note}},
          "policy " + std::to_string(p.version) + " " + digest.Hex() + " in force from index " +
              std::to_string(batch.first_index) + "\n");
  return Status::Ok();
}

}  // namespace ledger::cli
