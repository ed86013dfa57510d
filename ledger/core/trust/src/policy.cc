// The submitter policy document (policy.h, schemas/formats/policy.md).
#include "ledger/trust/policy.h"

#include "ledger/note/note.h"
#include "manifest_codec.h"

namespace ledger {
namespace {

constexpr std::string_view kPolicyApprovalDomain = "audit-ledger/policy-approval/v1\n";
constexpr std::string_view kLinePrefix = "policy ";

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_policy", "policy: " + why);
}

}  // namespace

Policy GenesisPolicy(const Manifest& m) { return Policy{0, m.submitters}; }

Result<Bytes> EncodePolicy(const Policy& unsorted) {
  Policy p = unsorted;
  internal::SortSubmitters(p.submitters);
  if (auto defect = internal::SubmittersDefect(p.submitters)) {
    return Status::InvalidArgument("bad_policy", *defect);
  }
  Bytes out;
  Append(out, kPolicyMagic);
  AppendU8(out, kPolicyFormatVersion);
  AppendU64BE(out, p.version);
  internal::AppendSubmitters(out, p.submitters);
  return out;
}

Result<Policy> DecodePolicy(ByteView encoding) {
  ByteReader r(encoding, "malformed_policy");
  ASSIGN_OR_RETURN(ByteView magic, r.Take(kPolicyMagic.size()));
  if (AsString(magic) != kPolicyMagic) return Malformed("wrong magic");
  ASSIGN_OR_RETURN(uint8_t format, r.U8());
  if (format != kPolicyFormatVersion) return Malformed("unknown format version");
  Policy p;
  ASSIGN_OR_RETURN(p.version, r.U64BE());
  ASSIGN_OR_RETURN(p.submitters, internal::ReadSubmitters(r));
  RETURN_IF_ERROR(r.ExpectEnd());
  // Canonical form only: SubmittersDefect of the list as read (not a sorted
  // copy) refuses anything EncodePolicy would have reordered.
  if (auto defect = internal::SubmittersDefect(p.submitters)) return Malformed(*defect);
  return p;
}

Hash PolicyDigest(ByteView encoding) { return Sha256::Digest(encoding); }

Result<Hash> PolicyDigest(const Policy& p) {
  ASSIGN_OR_RETURN(Bytes enc, EncodePolicy(p));
  return PolicyDigest(enc);
}

std::string PolicyExtensionLine(uint64_t version, const Hash& policy_digest) {
  return std::string(kLinePrefix) + std::to_string(version) + " " + policy_digest.Hex();
}

Result<std::string> PolicyExtensionLine(const Policy& p) {
  ASSIGN_OR_RETURN(Hash digest, PolicyDigest(p));
  return PolicyExtensionLine(p.version, digest);
}

Result<PolicyRef> ParsePolicyExtensionLine(std::string_view line) {
  auto bad = [] { return Status::InvalidArgument("bad_policy_line", "not a policy line"); };
  if (!line.starts_with(kLinePrefix)) return bad();
  line.remove_prefix(kLinePrefix.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return bad();
  auto version = ParseDecimalU64(line.substr(0, space));
  std::string_view hex = line.substr(space + 1);
  if (!version.ok() || hex.size() != 2 * Hash::kSize) return bad();
  auto digest = Hash::FromHex(hex);
  // Lowercase only: one line per (version, digest).
  if (!digest.ok() || digest->Hex() != hex) return bad();
  return PolicyRef{*version, *digest};
}

Bytes PolicyApprovalMessage(const Hash& manifest_digest, const Hash& policy_digest) {
  Bytes msg = ToBytes(kPolicyApprovalDomain);
  Append(msg, manifest_digest.view());
  Append(msg, policy_digest.view());
  return msg;
}

Result<Approval> ApprovePolicy(const Hash& manifest_digest, const Hash& policy_digest,
                               std::string_view operator_name, const P256PrivateKey& key) {
  if (!internal::IsName(operator_name)) {
    return Status::InvalidArgument("bad_policy", "operator name is not a valid key name");
  }
  Approval a;
  a.operator_name = std::string(operator_name);
  a.manifest_digest = policy_digest;
  ASSIGN_OR_RETURN(a.signature, key.Sign(PolicyApprovalMessage(manifest_digest, policy_digest)));
  return a;
}

Status VerifyPolicyApprovals(const Manifest& m, const Hash& policy_digest,
                             std::span<const Approval> approvals) {
  ASSIGN_OR_RETURN(Hash manifest_digest, ManifestDigest(m));
  return internal::VerifyOperatorApprovals(m, policy_digest,
                                           PolicyApprovalMessage(manifest_digest, policy_digest),
                                           approvals, "approval_for_other_policy");
}

Result<SubmitterPolicy> ToSubmitterPolicy(const Policy& p) {
  SubmitterPolicy out;
  for (const ManifestSubmitter& s : p.submitters) {
    auto verifier = note::ParseVerifierKey(s.verifier_key);
    // A cosignature key signs checkpoints, never stamps (stamp.md §1).
    if (!verifier.ok() || (*verifier)->alg() == note::kAlgCosignatureV1) {
      return Status::InvalidArgument("unsupported_submitter_key",
                                     "submitter " + s.name + " has no usable verifier key");
    }
    out.submitters.push_back(
        {std::shared_ptr<const note::Verifier>(std::move(verifier).value()), s.kinds, s.subjects});
  }
  // A policy document governs a notarized log: an event without a stamp is
  // the host's word alone, so an empty list admits nobody (only the notary's
  // own records, which the log key stamps), never unstamped events.
  out.require_stamps = true;
  return out;
}

}  // namespace ledger
