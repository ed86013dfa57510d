// The submitter policy as a versioned, operator-approved document: who may
// append which event kinds, about which subjects. Byte-exact encoding, digest, approvals and the
// checkpoint extension line that binds a log head to its policy:
// schemas/formats/policy.md.
//
// Version 0 is the manifest's genesis policy (its submitter list). Every
// later version is approved by at least the manifest's threshold of its
// operators and enters the log as a POLICY_CHANGED entry; every checkpoint
// the notary signs carries "policy <version> <hex digest>", so a notary that
// restarts with no memory can tell whether the policy the host shows it is
// the one in force at the head.
//
// Encoding is canonical: EncodePolicy sorts submitters and kinds, and
// DecodePolicy accepts only what EncodePolicy produces.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/crypto/p256.h"
#include "ledger/sequencer/types.h"
#include "ledger/trust/manifest.h"

namespace ledger {

inline constexpr std::string_view kPolicyMagic = "audit-ledger/policy\n";
inline constexpr uint8_t kPolicyFormatVersion = 0x01;

struct Policy {
  uint64_t version = 0;  // 0 = the manifest's genesis policy
  std::vector<ManifestSubmitter> submitters;  // 0..255, distinct names
  bool operator==(const Policy&) const = default;
};

// The genesis policy of a manifest: version 0, its submitters.
Policy GenesisPolicy(const Manifest& m);

// The canonical encoding of (a sorted copy of) p; InvalidArgument("bad_policy").
Result<Bytes> EncodePolicy(const Policy& p);
// Strict: InvalidArgument("malformed_policy") for a wrong magic, an unknown
// format version, truncation, trailing bytes, unsorted or duplicate entries,
// unknown event kinds or bad names and key strings.
Result<Policy> DecodePolicy(ByteView encoding);
// SHA-256 of the canonical encoding (policy.md §3).
Hash PolicyDigest(ByteView encoding);
Result<Hash> PolicyDigest(const Policy& p);

// The checkpoint extension line (policy.md §5): "policy <version> <hex>",
// the digest in lowercase hex.
std::string PolicyExtensionLine(uint64_t version, const Hash& policy_digest);
Result<std::string> PolicyExtensionLine(const Policy& p);
struct PolicyRef {
  uint64_t version = 0;
  Hash digest;
};
// Strict inverse of PolicyExtensionLine; InvalidArgument("bad_policy_line").
Result<PolicyRef> ParsePolicyExtensionLine(std::string_view line);

// An operator's approval of a policy (policy.md §4) reuses the Approval
// struct and its encoding (manifest.h); `manifest_digest` holds the policy
// digest. The signed message also names the manifest, so an approval holds
// for one deployment only, and its prefix differs from a manifest approval's:
// "audit-ledger/policy-approval/v1\n" || manifest digest || policy digest.
Bytes PolicyApprovalMessage(const Hash& manifest_digest, const Hash& policy_digest);
Result<Approval> ApprovePolicy(const Hash& manifest_digest, const Hash& policy_digest,
                               std::string_view operator_name, const P256PrivateKey& key);
// OK when at least m.threshold distinct operators of m approved the policy
// with this digest. Errors as VerifyApprovals, with
// VerificationFailed("approval_for_other_policy") for an approval of another
// digest.
Status VerifyPolicyApprovals(const Manifest& m, const Hash& policy_digest,
                             std::span<const Approval> approvals);

// The policy as the sequencer enforces it: each verifier key parsed with
// note::ParseVerifierKey (InvalidArgument("unsupported_submitter_key") if it
// does not parse), with its kinds and subject prefixes; stamps are always
// required, even when the list is empty (policy.md §2).
Result<SubmitterPolicy> ToSubmitterPolicy(const Policy& p);

}  // namespace ledger
