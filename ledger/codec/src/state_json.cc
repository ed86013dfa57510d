// JSON form of state answers (state_json.h, map.md §9).
#include "ledger/codec/state_json.h"

#include "ledger/codec/event_json.h"

namespace ledger::codec {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_state_answer", "state answer: " + why);
}

}  // namespace

nlohmann::json StateProofToJson(const state_map::StateProof& p) {
  nlohmann::json j = {{"subject", p.subject},
                      {"checkpoint", p.checkpoint_note},
                      {"map_proof", Base64Encode(p.map_proof.Encode())},
                      {"entry", nullptr}};
  if (!p.leaf.empty()) {
    nlohmann::json proof = nlohmann::json::array();
    for (const Hash& h : p.inclusion_proof) proof.push_back(h.Base64());
    // The index is the map's; it is repeated here for readers, and checked.
    auto leaf = DecodeLeaf(p.leaf);
    j["entry"] = {{"index", leaf.ok() ? leaf->index : 0},
                  {"leaf", Base64Encode(p.leaf)},
                  {"inclusion_proof", proof}};
  }
  return j;
}

Result<state_map::StateProof> StateProofFromJson(std::string_view text) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonStrict(text, kMaxStateAnswerSize));
  if (!j.is_object()) return Malformed("not an object");
  for (const auto& [k, v] : j.items()) {
    if (k != "subject" && k != "checkpoint" && k != "map_proof" && k != "entry" &&
        k != "state" && k != "notary") {
      return Malformed("unknown field " + k);
    }
  }
  auto str = [&](const nlohmann::json& o, const char* name) -> Result<std::string> {
    if (!o.contains(name) || !o[name].is_string()) return Malformed(std::string(name) + " missing");
    return o[name].get<std::string>();
  };
  state_map::StateProof p;
  ASSIGN_OR_RETURN(p.subject, str(j, "subject"));
  ASSIGN_OR_RETURN(p.checkpoint_note, str(j, "checkpoint"));
  ASSIGN_OR_RETURN(std::string proof_b64, str(j, "map_proof"));
  auto proof_bytes = Base64Decode(proof_b64);
  if (!proof_bytes.ok()) return Malformed("map_proof is not base64");
  ASSIGN_OR_RETURN(p.map_proof, state_map::Proof::Decode(*proof_bytes));
  if (!j.contains("entry")) return Malformed("entry missing");
  const nlohmann::json& e = j["entry"];
  if (e.is_null()) return p;
  if (!e.is_object()) return Malformed("entry is not an object");
  for (const auto& [k, v] : e.items()) {
    if (k != "index" && k != "leaf" && k != "inclusion_proof") return Malformed("unknown entry field " + k);
  }
  if (!e.contains("index") || !e["index"].is_number_unsigned()) return Malformed("entry.index");
  ASSIGN_OR_RETURN(std::string leaf_b64, str(e, "leaf"));
  auto leaf = Base64Decode(leaf_b64);
  if (!leaf.ok() || leaf->empty()) return Malformed("entry.leaf is not base64");
  p.leaf = std::move(*leaf);
  auto decoded = DecodeLeaf(p.leaf);
  if (!decoded.ok() || decoded->index != e["index"].get<uint64_t>()) {
    return Malformed("entry.index is not the leaf's");
  }
  if (!e.contains("inclusion_proof") || !e["inclusion_proof"].is_array() ||
      e["inclusion_proof"].size() > 64) {
    return Malformed("entry.inclusion_proof");
  }
  for (const auto& h : e["inclusion_proof"]) {
    if (!h.is_string()) return Malformed("entry.inclusion_proof");
    auto hash = Hash::FromBase64(h.get<std::string>());
    if (!hash.ok()) return Malformed("entry.inclusion_proof hash");
    p.inclusion_proof.push_back(*hash);
  }
  return p;
}

nlohmann::json VerifiedStateToJson(const state_map::VerifiedState& v) {
  auto map_root = state_map::FindRoot(v.checkpoint.extensions);
  nlohmann::json j = {
      {"present", v.value.has_value()},
      {"tree_size", v.checkpoint.size},
      {"map_root", map_root.ok() && *map_root ? (*map_root)->Hex() : ""}};
  if (v.value) {
    j["index"] = v.value->index;
    j["version"] = v.value->version;
    j["state_hash"] = v.value->state == state_map::EmptyHash() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(v.value->state.Hex());
  }
  if (v.event) j["event"] = EventToJson(*v.event);
  // Who set the state, when the latest entry did (map.md §9).
  if (v.set_by_kind) {
    j["set_by"] = {{"kind", EventKindName(*v.set_by_kind)}, {"stamper", *v.set_by_stamper}};
  } else if (v.value) {
    j["set_by"] = nullptr;
  }
  return j;
}

}  // namespace ledger::codec
