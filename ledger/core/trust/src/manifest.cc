// Manifest and operator approvals (manifest.h, schemas/formats/manifest.md).
#include "ledger/trust/manifest.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "ledger/note/note.h"
#include "manifest_codec.h"

namespace ledger {
namespace {

using internal::AppendStr16;
using internal::AppendStr8;
using internal::IsKeyString;
using internal::IsName;
using internal::ReadStr16;
using internal::ReadStr8;

constexpr std::string_view kApprovalDomain = "audit-ledger/manifest-approval/v1\n";
constexpr uint8_t kApprovalVersion = 0x01;
constexpr uint8_t kPcr0 = 1, kPcr1 = 2, kPcr2 = 4;
constexpr uint8_t kHasChainId = 1, kHasAddress = 2;

Status Bad(const std::string& why) { return Status::InvalidArgument("bad_manifest", why); }

template <typename T, typename Key>
bool StrictlyIncreasing(const std::vector<T>& v, Key key) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (!(key(v[i - 1]) < key(v[i]))) return false;
  }
  return true;
}

Manifest Sorted(Manifest m) {
  std::sort(m.operators.begin(), m.operators.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  internal::SortSubmitters(m.submitters);
  std::sort(m.witnesses.begin(), m.witnesses.end());
  return m;
}

// --- Witnesses (manifest.md §2.1) ---------------------------------------------

// The Ed25519 public key of a witness vkey (type Ed25519 or cosignature/v1:
// both carry one), or nullopt for anything else.
std::optional<Bytes> WitnessPublicKey(const std::string& vkey) {
  auto v = note::ParseVerifierKey(vkey);
  if (!v.ok() || ((*v)->alg() != note::kAlgEd25519 && (*v)->alg() != note::kAlgCosignatureV1)) {
    return std::nullopt;
  }
  // Parsed above as <name>+<key ID>+<base64(type || key)>.
  const size_t key_at = vkey.find('+', vkey.find('+') + 1) + 1;
  auto material = Base64Decode(std::string_view(vkey).substr(key_at));
  if (!material.ok() || material->empty()) return std::nullopt;
  return Bytes(material->begin() + 1, material->end());
}

// Restore's freshness comes from the witnesses (docs/architecture.md §4.2, §4.3): a
// restarted notary serves once witness_quorum of them cosign its head, and
// each refuses a head older than one it cosigned. That says nothing unless
// every quorum shares a witness with the quorum that cosigned the newest
// head: 2K > N. Then 2K - N - 1 colluding or forgetful witnesses are
// tolerated. A cosignature does not sign the witness's name, so one key
// listed under two names would count twice: keys are compared, not strings.
Status ValidateWitnessQuorum(const Manifest& m) {
  std::set<Bytes> keys;
  for (const std::string& w : m.witnesses) {
    std::optional<Bytes> key = WitnessPublicKey(w);
    if (!key) return Bad("witness '" + w + "' is not an Ed25519 or cosignature/v1 vkey");
    if (!keys.insert(*key).second) {
      return Status::InvalidArgument("duplicate_witness_key",
                                     "witness '" + w + "' has the public key of another listed "
                                     "witness; a cosignature does not sign the name, so it "
                                     "would count twice");
    }
  }
  const size_t n = m.witnesses.size(), k = m.witness_quorum;
  if (n > 0 && 2 * k <= n) {
    return Status::InvalidArgument(
        "non_intersecting_witness_quorum",
        "witness quorum " + std::to_string(k) + " of " + std::to_string(n) +
            " witnesses: two quorums could share no witness, so a restored old head could be "
            "confirmed by witnesses that never saw the newer one; the quorum must be more than "
            "half (at least " + std::to_string(n / 2 + 1) + ")");
  }
  return Status::Ok();
}

// --- Validation ---------------------------------------------------------------

// Validation of a sorted manifest: once sorted, "distinct" is "strictly increasing".
Status ValidateSorted(const Manifest& m) {
  if (!IsName(m.origin)) return Bad("origin must be a key name of at most 255 bytes");
  if (m.operators.empty() || m.operators.size() > 255) return Bad("need 1..255 operators");
  for (const auto& op : m.operators) {
    if (!IsName(op.name)) return Bad("operator name '" + op.name + "' is not a valid key name");
    if (!P256PublicKey::FromSec1(op.public_key.view()).ok()) {
      return Bad("operator '" + op.name + "' has an invalid P-256 key");
    }
  }
  if (!StrictlyIncreasing(m.operators, [](const auto& o) { return o.name; })) {
    return Bad("operator names must be distinct");
  }
  for (size_t i = 0; i < m.operators.size(); ++i) {
    for (size_t j = i + 1; j < m.operators.size(); ++j) {
      if (m.operators[i].public_key == m.operators[j].public_key) {
        return Bad("operators '" + m.operators[i].name + "' and '" + m.operators[j].name +
                   "' share a key");
      }
    }
  }
  if (m.threshold < 1 || m.threshold > m.operators.size()) {
    return Bad("threshold must be between 1 and the number of operators");
  }
  if (auto defect = internal::SubmittersDefect(m.submitters)) return Bad(*defect);
  if (m.witnesses.size() > 255) return Bad("at most 255 witnesses");
  for (const auto& w : m.witnesses) {
    if (!IsKeyString(w)) return Bad("bad witness key string");
  }
  if (!StrictlyIncreasing(m.witnesses, [](const std::string& w) { return w; })) {
    return Bad("witness keys must be distinct");
  }
  if (m.witness_quorum > m.witnesses.size()) return Bad("witness quorum above the witness count");
  RETURN_IF_ERROR(ValidateWitnessQuorum(m));
  if (m.registry_chain_id && *m.registry_chain_id == 0) return Bad("chain id 0");
  return Status::Ok();
}

template <size_t N>
Status ReadArray(ByteReader& r, std::array<uint8_t, N>& out) {
  ASSIGN_OR_RETURN(ByteView v, r.Take(N));
  std::memcpy(out.data(), v.data(), N);
  return Status::Ok();
}

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_manifest", "manifest: " + why);
}

Result<Manifest> DecodeFields(ByteReader& r) {
  Manifest m;
  ASSIGN_OR_RETURN(ByteView magic, r.Take(kManifestMagic.size()));
  if (AsString(magic) != kManifestMagic) return Malformed("wrong magic");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kManifestVersion && version != kManifestVersionSuccessor) {
    return Malformed("unknown version " + std::to_string(version));
  }
  ASSIGN_OR_RETURN(m.nonce, r.U64BE());
  ASSIGN_OR_RETURN(m.origin, ReadStr8(r));
  ASSIGN_OR_RETURN(uint8_t pcrs, r.U8());
  if ((pcrs & kPcr0) == 0 || (pcrs & ~(kPcr0 | kPcr1 | kPcr2)) != 0) return Malformed("bad PCR flags");
  RETURN_IF_ERROR(ReadArray(r, m.pcr0));
  if (pcrs & kPcr1) RETURN_IF_ERROR(ReadArray(r, m.pcr1.emplace()));
  if (pcrs & kPcr2) RETURN_IF_ERROR(ReadArray(r, m.pcr2.emplace()));
  ASSIGN_OR_RETURN(uint8_t n_ops, r.U8());
  for (uint8_t i = 0; i < n_ops; ++i) {
    ManifestOperator op;
    ASSIGN_OR_RETURN(op.name, ReadStr8(r));
    ASSIGN_OR_RETURN(ByteView key, r.Take(P256PublicKey::kSize));
    auto pk = P256PublicKey::FromSec1(key);
    if (!pk.ok()) return Malformed("operator key is not a P-256 point");
    op.public_key = *pk;
    m.operators.push_back(std::move(op));
  }
  ASSIGN_OR_RETURN(m.threshold, r.U8());
  ASSIGN_OR_RETURN(ByteView quorum, r.Take(Ed25519PublicKey::kSize));
  ASSIGN_OR_RETURN(m.quorum_public_key, Ed25519PublicKey::FromBytes(quorum));
  ASSIGN_OR_RETURN(m.submitters, internal::ReadSubmitters(r));
  ASSIGN_OR_RETURN(uint8_t n_wit, r.U8());
  for (uint8_t i = 0; i < n_wit; ++i) {
    ASSIGN_OR_RETURN(std::string w, ReadStr16(r));
    m.witnesses.push_back(std::move(w));
  }
  ASSIGN_OR_RETURN(m.witness_quorum, r.U8());
  ASSIGN_OR_RETURN(uint8_t reg, r.U8());
  if ((reg & ~(kHasChainId | kHasAddress)) != 0) return Malformed("bad registry flags");
  if (reg & kHasChainId) {
    ASSIGN_OR_RETURN(m.registry_chain_id, r.U64BE());
  }
  if (reg & kHasAddress) RETURN_IF_ERROR(ReadArray(r, m.registry_address.emplace()));
  if (version == kManifestVersionSuccessor) {
    ASSIGN_OR_RETURN(ByteView predecessor, r.Take(Hash::kSize));
    ASSIGN_OR_RETURN(m.predecessor, Hash::FromBytes(predecessor));
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return m;
}

}  // namespace

Status ValidateManifest(const Manifest& m) { return ValidateSorted(Sorted(m)); }

Result<Bytes> EncodeManifest(const Manifest& unsorted) {
  const Manifest m = Sorted(unsorted);
  RETURN_IF_ERROR(ValidateSorted(m));
  Bytes out;
  Append(out, kManifestMagic);
  AppendU8(out, m.predecessor ? kManifestVersionSuccessor : kManifestVersion);
  AppendU64BE(out, m.nonce);
  AppendStr8(out, m.origin);
  AppendU8(out, static_cast<uint8_t>(kPcr0 | (m.pcr1 ? kPcr1 : 0) | (m.pcr2 ? kPcr2 : 0)));
  Append(out, ByteView(m.pcr0));
  if (m.pcr1) Append(out, ByteView(*m.pcr1));
  if (m.pcr2) Append(out, ByteView(*m.pcr2));
  AppendU8(out, static_cast<uint8_t>(m.operators.size()));
  for (const auto& op : m.operators) {
    AppendStr8(out, op.name);
    Append(out, op.public_key.view());
  }
  AppendU8(out, m.threshold);
  Append(out, m.quorum_public_key.view());
  internal::AppendSubmitters(out, m.submitters);
  AppendU8(out, static_cast<uint8_t>(m.witnesses.size()));
  for (const auto& w : m.witnesses) AppendStr16(out, w);
  AppendU8(out, m.witness_quorum);
  AppendU8(out, static_cast<uint8_t>((m.registry_chain_id ? kHasChainId : 0) |
                                     (m.registry_address ? kHasAddress : 0)));
  if (m.registry_chain_id) AppendU64BE(out, *m.registry_chain_id);
  if (m.registry_address) Append(out, ByteView(*m.registry_address));
  if (m.predecessor) Append(out, m.predecessor->view());  // manifest.md §6
  return out;
}

Result<Manifest> DecodeManifest(ByteView encoding) {
  ByteReader r(encoding, "malformed_manifest");
  ASSIGN_OR_RETURN(Manifest m, DecodeFields(r));
  // Canonical form only: anything valid that is not sorted, or otherwise not
  // what EncodeManifest writes, is refused.
  Status valid = ValidateSorted(m);
  if (valid.reason() == "bad_manifest") return Malformed(valid.message());
  RETURN_IF_ERROR(valid);  // a witness rule, under its own reason
  return m;
}

Hash ManifestDigest(ByteView encoding) { return Sha256::Digest(encoding); }

Result<Hash> ManifestDigest(const Manifest& m) {
  ASSIGN_OR_RETURN(Bytes enc, EncodeManifest(m));
  return ManifestDigest(enc);
}

const ManifestOperator* FindOperator(const Manifest& m, std::string_view name) {
  for (const auto& op : m.operators) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

Bytes ApprovalMessage(const Hash& manifest_digest) {
  Bytes msg = ToBytes(kApprovalDomain);
  Append(msg, manifest_digest.view());
  return msg;
}

Result<Approval> ApproveManifest(const Hash& manifest_digest, std::string_view operator_name,
                                 const P256PrivateKey& key) {
  if (!IsName(operator_name)) return Bad("operator name is not a valid key name");
  Approval a;
  a.operator_name = std::string(operator_name);
  a.manifest_digest = manifest_digest;
  ASSIGN_OR_RETURN(a.signature, key.Sign(ApprovalMessage(manifest_digest)));
  return a;
}

// manifest.md §4: 0x01 || digest (32) || str8 name || signature (64).
Result<Bytes> EncodeApproval(const Approval& a) {
  if (!IsName(a.operator_name) || a.signature.size() != P256PublicKey::kSignatureSize) {
    return Status::InvalidArgument("malformed_approval", "approval: bad name or signature size");
  }
  Bytes out;
  AppendU8(out, kApprovalVersion);
  Append(out, a.manifest_digest.view());
  AppendStr8(out, a.operator_name);
  Append(out, a.signature);
  return out;
}

Result<Approval> DecodeApproval(ByteView encoding) {
  ByteReader r(encoding, "malformed_approval");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != kApprovalVersion) {
    return Status::InvalidArgument("malformed_approval", "approval: unknown version");
  }
  Approval a;
  ASSIGN_OR_RETURN(ByteView digest, r.Take(Hash::kSize));
  ASSIGN_OR_RETURN(a.manifest_digest, Hash::FromBytes(digest));
  ASSIGN_OR_RETURN(a.operator_name, ReadStr8(r));
  if (!IsName(a.operator_name)) {
    return Status::InvalidArgument("malformed_approval", "approval: bad operator name");
  }
  ASSIGN_OR_RETURN(ByteView sig, r.Take(P256PublicKey::kSignatureSize));
  a.signature.assign(sig.begin(), sig.end());
  RETURN_IF_ERROR(r.ExpectEnd());
  return a;
}

Status VerifyApprovals(const Manifest& m, std::span<const Approval> approvals) {
  ASSIGN_OR_RETURN(Hash digest, ManifestDigest(m));
  return internal::VerifyOperatorApprovals(m, digest, ApprovalMessage(digest), approvals,
                                           "approval_for_other_manifest");
}

}  // namespace ledger
