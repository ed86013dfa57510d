// The manifest (QuorumOS model): what a notary deployment is, approved by a
// quorum of operators before the notary may serve. Byte-exact encoding and
// digest: schemas/formats/manifest.md.
//
// The manifest names the log origin, the notary measurement the operators
// expect (PCRs), the operator set and its threshold, the quorum public key,
// the genesis submitter policy, the witnesses and their quorum, and the
// registry. Its digest is SHA-256 of its canonical encoding, which starts with
// a domain-separating magic string; the notary puts that digest in its
// attestation's user_data, operators sign it, and shares re-sealed to a
// notary are bound to it (quorum.h, NotaryShareContext).
//
// Encoding is canonical: EncodeManifest sorts operators, submitters, kinds and
// witnesses, and DecodeManifest accepts only what EncodeManifest produces, so
// EncodeManifest(DecodeManifest(b)) == b for every decodable b.
//
// Thread-safety: value types and free functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/crypto/p256.h"
#include "ledger/record/event.h"

namespace ledger {

inline constexpr std::string_view kManifestMagic = "audit-ledger/manifest\n";
inline constexpr uint8_t kManifestVersion = 0x01;
// A successor manifest (manifest.md §6): version 1's fields, then the digest
// of the manifest it succeeds.
inline constexpr uint8_t kManifestVersionSuccessor = 0x02;
inline constexpr size_t kPcrSize = 48;  // SHA-384, as the Nitro NSM reports PCRs
inline constexpr size_t kRegistryAddressSize = 20;
inline constexpr size_t kMaxManifestNameSize = 255;   // origin, operator, submitter names
inline constexpr size_t kMaxManifestKeySize = 1024;   // submitter and witness key strings

struct ManifestOperator {
  std::string name;  // a signed-note key name (note::IsValidKeyName)
  P256PublicKey public_key;
  bool operator==(const ManifestOperator&) const = default;
};

struct ManifestSubmitter {
  std::string name;          // a signed-note key name
  std::string verifier_key;  // C2SP vkey or a typed key string: printable ASCII, no spaces
  std::vector<EventKind> kinds;  // what it may append; non-empty, no notary kind
  // The subjects it may name: prefixes, non-empty list ("" grants every
  // subject but the notary's); none starts with "notary" (ownership.h).
  std::vector<std::string> subjects = {};
  bool operator==(const ManifestSubmitter&) const = default;
};

struct Manifest {
  uint64_t nonce = 0;  // distinguishes successive manifests of one log
  std::string origin;  // the log's checkpoint origin (a key name)
  std::array<uint8_t, kPcrSize> pcr0{};
  std::optional<std::array<uint8_t, kPcrSize>> pcr1, pcr2;
  std::vector<ManifestOperator> operators;  // 1..255, distinct names and keys
  uint8_t threshold = 0;                    // approvals (and shares) needed: 1..operators
  Ed25519PublicKey quorum_public_key;
  std::vector<ManifestSubmitter> submitters;  // 0..255, distinct names
  // Ed25519 or cosignature/v1 vkeys, 0..255, distinct public keys.
  std::vector<std::string> witnesses;
  uint8_t witness_quorum = 0;                 // 2 * witness_quorum > witnesses; 0 if none
  std::optional<uint64_t> registry_chain_id;  // non-zero when present
  std::optional<std::array<uint8_t, kRegistryAddressSize>> registry_address;
  // The digest of the manifest this one succeeds (manifest.md §6): a log
  // whose latest ENCLAVE_BOOTED entry recorded it may continue under this
  // one. nullopt: the first manifest of a log.
  std::optional<Hash> predecessor;
  bool operator==(const Manifest&) const = default;
};

// InvalidArgument naming the first defect: reason "bad_manifest", or for the
// witness rules of manifest.md §2.1:
//   "non_intersecting_witness_quorum"  witnesses but 2 * witness_quorum <= their
//                                      count: two quorums could be disjoint;
//   "duplicate_witness_key"            one public key listed twice (under any
//                                      names: a cosignature does not sign the name).
Status ValidateManifest(const Manifest& m);
// The canonical encoding of (a sorted copy of) m; InvalidArgument("bad_manifest").
Result<Bytes> EncodeManifest(const Manifest& m);
// Strict: InvalidArgument("malformed_manifest") for a wrong magic, an unknown
// version, truncation, trailing bytes, out-of-order or duplicate entries,
// unknown flags or event kinds, or any value ValidateManifest refuses with
// "bad_manifest"; its witness reasons are returned as they are.
Result<Manifest> DecodeManifest(ByteView encoding);
// SHA-256 of the canonical encoding (manifest.md §3).
Hash ManifestDigest(ByteView encoding);
Result<Hash> ManifestDigest(const Manifest& m);

// The operator named `name`, or nullptr.
const ManifestOperator* FindOperator(const Manifest& m, std::string_view name);

// An operator's approval of one manifest (manifest.md §4).
struct Approval {
  std::string operator_name;
  Hash manifest_digest;
  Bytes signature;  // ECDSA-SHA256 P-256, r || s, over ApprovalMessage(manifest_digest)
  bool operator==(const Approval&) const = default;
};

// "audit-ledger/manifest-approval/v1\n" || digest (32 bytes).
Bytes ApprovalMessage(const Hash& manifest_digest);
// InvalidArgument("bad_manifest") when operator_name is not a valid name.
Result<Approval> ApproveManifest(const Hash& manifest_digest, std::string_view operator_name,
                                 const P256PrivateKey& key);
Result<Bytes> EncodeApproval(const Approval& a);
// Strict: InvalidArgument("malformed_approval").
Result<Approval> DecodeApproval(ByteView encoding);

// OK when at least m.threshold distinct operators of m approved m. Every
// approval must be valid; the first bad one decides the error:
//   VerificationFailed("approval_for_other_manifest") digest is not m's;
//   VerificationFailed("unknown_operator")  name is not an operator of m;
//   VerificationFailed("duplicate_approval") the operator approved twice;
//   VerificationFailed("bad_approval_signature");
//   VerificationFailed("insufficient_approvals") fewer than threshold.
Status VerifyApprovals(const Manifest& m, std::span<const Approval> approvals);

}  // namespace ledger
