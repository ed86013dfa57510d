#include "api_json.h"

#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/store/notary_evidence.h"

namespace explorer {

using ledger::Result;
using ledger::Status;

Result<nlohmann::json> EntryJson(const ledger::store::LogStore& store, uint64_t index,
                                 bool receipt) {
  ASSIGN_OR_RETURN(auto verified, store.GetLeaf(index));
  auto leaf = ledger::DecodeLeaf(verified.leaf);
  auto event = leaf.ok() ? ledger::DecodeEvent(leaf->event) : Result<ledger::Event>(leaf.status());
  if (!event.ok()) {
    // Verified against the checkpoint yet undecodable: the notary sequenced
    // it, so it is shown as bytes with the reason rather than hidden.
    return nlohmann::json{{"index", index},
                          {"leaf", ledger::Base64Encode(verified.leaf)},
                          {"leaf_hash", verified.leaf_hash.Hex()},
                          {"decode_error", event.status().reason()}};
  }
  nlohmann::json j = {
      {"index", index},
      {"recorded_at", ledger::codec::FormatRfc3339Micros(leaf->recorded_at_us)},
      {"recorded_at_us", leaf->recorded_at_us},
      {"leaf", ledger::Base64Encode(verified.leaf)},
      {"leaf_hex", ledger::HexEncode(verified.leaf)},
      {"leaf_hash", verified.leaf_hash.Hex()},
      {"prev_leaf_hash", leaf->prev_leaf_hash.Hex()},
      {"event", ledger::codec::EventToJson(*event)},
      {"event_bytes", ledger::Base64Encode(leaf->event)},
  };
  if (!leaf->stamp.empty()) {
    auto stamp = ledger::DecodeStamp(leaf->stamp);
    if (stamp.ok()) {
      char id[9];
      std::snprintf(id, sizeof id, "%08x", stamp->key_id);
      j["stamp"] = {{"key_name", stamp->key_name}, {"key_id", id},
                    {"bytes", ledger::Base64Encode(leaf->stamp)}};
      // A batch stamp (stamp.md §7): where the event sat in the request the
      // submitter signed once. The bytes above carry the path to check it.
      if (stamp->batch) {
        j["stamp"]["batch"] = {{"index", stamp->batch->index}, {"count", stamp->batch->count}};
      }
    }
  }
  if (event->payload_digest) {
    nlohmann::json p = {{"digest", event->payload_digest->Hex()}};
    auto payload = store.GetPayload(*event->payload_digest);
    if (payload.ok()) {
      p["retained"] = true;
      p["size"] = payload->body.size();
      p["content_type"] = payload->content_type;
    } else if (payload.status().code() == ledger::Code::kNotFound) {
      p["retained"] = false;  // disposed of after retention, or never stored
    } else {
      return payload.status();
    }
    j["payload"] = std::move(p);
  }
  if (receipt) {
    ASSIGN_OR_RETURN(std::string checkpoint, store.CheckpointAt(verified.tree_size));
    nlohmann::json proof = nlohmann::json::array();
    for (const auto& h : verified.proof) proof.push_back(h.Base64());
    ledger::TlogProof tp;
    tp.extra = verified.leaf;
    tp.index = index;
    tp.inclusion = verified.proof;
    tp.checkpoint = checkpoint;
    j["receipt"] = {{"tree_size", verified.tree_size},
                    {"inclusion_proof", std::move(proof)},
                    {"checkpoint", checkpoint},
                    {"tlog_proof", ledger::FormatTlogProof(tp)}};
    // The measured code that sequenced the entry (receipt.md §4), when the
    // store has every piece of it.
    auto evidence = ledger::store::NotaryEvidenceFor(store, index, verified.tree_size);
    if (evidence.ok()) {
      j["receipt"]["notary"] = ledger::codec::NotaryEvidenceToJson(*evidence);
    } else if (evidence.status().code() != ledger::Code::kNotFound) {
      return evidence.status();
    }
  }
  return j;
}

Result<nlohmann::json> CheckpointJson(std::string_view note_text) {
  ASSIGN_OR_RETURN(auto note, ledger::note::Parse(note_text));
  ASSIGN_OR_RETURN(auto cp, ledger::Checkpoint::FromText(note.text));
  nlohmann::json sigs = nlohmann::json::array();
  for (const auto& s : note.signatures) {
    char id[9];
    std::snprintf(id, sizeof id, "%08x", s.key_id);
    nlohmann::json sig = {{"name", s.name}, {"key_id", id}};
    // cosignature/v1 (tlog-cosignature): 8-byte timestamp || Ed25519 signature.
    if (s.name != cp.origin && s.payload.size() == 8 + 64) {
      auto ts = ledger::note::CosignatureV1Timestamp(s.payload);
      if (ts.ok()) sig["timestamp"] = *ts;
    }
    sigs.push_back(std::move(sig));
  }
  return nlohmann::json{{"origin", cp.origin},
                        {"size", cp.size},
                        {"root", cp.root.Base64()},
                        {"root_hex", cp.root.Hex()},
                        {"note", std::string(note_text)},
                        {"signatures", std::move(sigs)}};
}

std::optional<std::string> StringParam(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

Result<uint64_t> U64Param(const httplib::Request& req, const std::string& name, uint64_t fallback,
                          uint64_t min, uint64_t max, const std::string& reason) {
  auto text = StringParam(req, name);
  if (!text) return fallback;
  auto v = ledger::ParseDecimalU64(*text);
  if (!v.ok() || *v < min || *v > max) {
    return Status::InvalidArgument(reason, name + " must be a decimal in [" + std::to_string(min) +
                                               ", " + std::to_string(max) + "]");
  }
  return *v;
}

Status OnlyParams(const httplib::Request& req, std::initializer_list<const char*> known) {
  for (const auto& [name, value] : req.params) {
    bool ok = false;
    for (const char* k : known) ok = ok || name == k;
    if (!ok) return Status::InvalidArgument("unknown_parameter", "unknown parameter " + name);
    if (req.get_param_value_count(name) > 1) {
      return Status::InvalidArgument("repeated_parameter", name + " is given twice");
    }
  }
  return Status::Ok();
}

}  // namespace explorer
