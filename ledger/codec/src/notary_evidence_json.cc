// JSON form of the notary evidence (notary_evidence_json.h).
#include "ledger/codec/notary_evidence_json.h"

#include <initializer_list>
#include <string_view>

namespace ledger::codec {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_notary_evidence", "notary evidence: " + why);
}

nlohmann::json Hashes(const std::vector<Hash>& hashes) {
  nlohmann::json a = nlohmann::json::array();
  for (const Hash& h : hashes) a.push_back(h.Base64());
  return a;
}

// `j` is an object with exactly these members.
Status Members(const nlohmann::json& j, std::string_view where,
               std::initializer_list<std::string_view> names) {
  if (!j.is_object()) return Malformed(std::string(where) + " is not an object");
  for (const auto& [k, v] : j.items()) {
    bool known = false;
    for (std::string_view n : names) known = known || k == n;
    if (!known) return Malformed("unknown field " + std::string(where) + "." + k.substr(0, 64));
  }
  for (std::string_view n : names) {
    if (!j.contains(std::string(n))) {
      return Malformed(std::string(where) + "." + std::string(n) + " missing");
    }
  }
  return Status::Ok();
}

Result<std::string> Str(const nlohmann::json& j, const char* name) {
  if (!j[name].is_string()) return Malformed(std::string(name) + " is not a string");
  return j[name].get<std::string>();
}

Result<uint64_t> U64(const nlohmann::json& j, const char* name) {
  if (!j[name].is_number_unsigned()) return Malformed(std::string(name) + " is not a count");
  return j[name].get<uint64_t>();
}

Result<Bytes> B64(const nlohmann::json& j, const char* name) {
  ASSIGN_OR_RETURN(std::string text, Str(j, name));
  auto bytes = Base64Decode(text);
  if (!bytes.ok() || bytes->empty()) return Malformed(std::string(name) + " is not base64");
  return std::move(bytes).value();
}

Result<std::vector<Hash>> HashList(const nlohmann::json& j, const char* name) {
  const nlohmann::json& a = j[name];
  if (!a.is_array() || a.size() > 64) return Malformed(std::string(name) + " is not a proof");
  std::vector<Hash> out;
  for (const auto& h : a) {
    if (!h.is_string()) return Malformed(std::string(name) + " holds a non-string");
    auto hash = Hash::FromBase64(h.get<std::string>());
    if (!hash.ok()) return Malformed(std::string(name) + " holds a bad hash");
    out.push_back(*hash);
  }
  return out;
}

}  // namespace

nlohmann::json NotaryEvidenceToJson(const NotaryEvidence& e) {
  return {{"pcr0", HexEncode(e.pcr0)},
          {"batch",
           {{"checkpoint", e.batch_checkpoint},
            {"first_index", e.first_index},
            {"count", e.count},
            {"consistency_proof", Hashes(e.batch_consistency)}}},
          {"app_proof",
           {{"payload", e.app_proof_payload},
            {"signature", Base64Encode(e.app_proof_signature)},
            {"public_key", Base64Encode(e.app_proof_public_key)}}},
          {"boot",
           {{"index", e.boot_index},
            {"leaf", Base64Encode(e.boot_leaf)},
            {"inclusion_proof", Hashes(e.boot_inclusion)},
            {"attestation", Base64Encode(e.attestation)}}}};
}

Result<NotaryEvidence> NotaryEvidenceFromJson(const nlohmann::json& j) {
  RETURN_IF_ERROR(Members(j, "notary", {"pcr0", "batch", "app_proof", "boot"}));
  NotaryEvidence e;
  ASSIGN_OR_RETURN(std::string pcr0, Str(j, "pcr0"));
  auto pcr = HexDecode(pcr0);
  if (!pcr.ok()) return Malformed("pcr0 is not hex");
  e.pcr0 = std::move(*pcr);

  const nlohmann::json& batch = j["batch"];
  RETURN_IF_ERROR(Members(batch, "batch", {"checkpoint", "first_index", "count",
                                           "consistency_proof"}));
  ASSIGN_OR_RETURN(e.batch_checkpoint, Str(batch, "checkpoint"));
  ASSIGN_OR_RETURN(e.first_index, U64(batch, "first_index"));
  ASSIGN_OR_RETURN(e.count, U64(batch, "count"));
  ASSIGN_OR_RETURN(e.batch_consistency, HashList(batch, "consistency_proof"));

  const nlohmann::json& proof = j["app_proof"];
  RETURN_IF_ERROR(Members(proof, "app_proof", {"payload", "signature", "public_key"}));
  ASSIGN_OR_RETURN(e.app_proof_payload, Str(proof, "payload"));
  ASSIGN_OR_RETURN(e.app_proof_signature, B64(proof, "signature"));
  ASSIGN_OR_RETURN(e.app_proof_public_key, B64(proof, "public_key"));

  const nlohmann::json& boot = j["boot"];
  RETURN_IF_ERROR(Members(boot, "boot", {"index", "leaf", "inclusion_proof", "attestation"}));
  ASSIGN_OR_RETURN(e.boot_index, U64(boot, "index"));
  ASSIGN_OR_RETURN(e.boot_leaf, B64(boot, "leaf"));
  ASSIGN_OR_RETURN(e.boot_inclusion, HashList(boot, "inclusion_proof"));
  ASSIGN_OR_RETURN(e.attestation, B64(boot, "attestation"));
  return e;
}

}  // namespace ledger::codec
