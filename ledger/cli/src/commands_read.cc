// get, prove inclusion, prove consistency.
#include "commands.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/record/leaf.h"
#include "ledger/store/notary_evidence.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

// RFC 3339 when representable (years up to 9999), else the raw microseconds.
std::string TimeText(uint64_t us) {
  return us <= kMaxOccurredAtUs ? codec::FormatRfc3339Micros(us) : std::to_string(us) + " us";
}

nlohmann::json EntryJson(const store::LeafWithProof& l, std::string* text) {
  nlohmann::json j = {{"index", l.index},
                      {"leaf_hash", l.leaf_hash.Hex()},
                      {"leaf", Base64Encode(l.leaf)},
                      {"tree_size", l.tree_size},
                      {"inclusion_proof", HashesJson(l.proof)}};
  auto leaf = DecodeLeaf(l.leaf);
  if (!leaf.ok()) return j;
  j["recorded_at_us"] = leaf->recorded_at_us;
  j["recorded_at"] = TimeText(leaf->recorded_at_us);
  j["prev_leaf_hash"] = leaf->prev_leaf_hash.Hex();
  j["stamped"] = !leaf->stamp.empty();
  auto event = DecodeEvent(leaf->event);
  if (event.ok()) j["event"] = codec::EventToJson(*event);
  if (text != nullptr) {
    *text += "entry #" + std::to_string(l.index) + "\n  leaf hash      " + l.leaf_hash.Hex() +
             "\n  recorded at    " + TimeText(leaf->recorded_at_us) +
             "\n  previous leaf  " + leaf->prev_leaf_hash.Hex() +
             "\n  stamp          " + (leaf->stamp.empty() ? "none" : "present") +
             "\n  event          " + (event.ok() ? j["event"].dump() : "undecodable") +
             "\n  inclusion proof against size " + std::to_string(l.tree_size) + ": " +
             std::to_string(l.proof.size()) + " hashes, verified\n";
  }
  return j;
}

}  // namespace

Status CmdGet(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "vkey", "json", "subject", "actor", "kind", "from-us",
                           "to-us", "start", "limit"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false, a.Get("vkey").value_or("")));
  const auto& pos = a.positional();
  if (pos.size() > 1) {
    ASSIGN_OR_RETURN(uint64_t index, ParseU64(pos[1], "INDEX"));
    ASSIGN_OR_RETURN(auto leaf, log->store().GetLeaf(index));
    std::string text;
    nlohmann::json j = EntryJson(leaf, &text);
    // The payload body, if the event names one and it is still retained
    // (GetPayload checks it against its digest).
    if (j.contains("event") && j["event"].contains("payload_digest")) {
      auto digest = Hash::FromHex(j["event"]["payload_digest"].get<std::string>());
      auto payload = digest.ok() ? log->store().GetPayload(*digest) : Result<store::Payload>(digest.status());
      if (payload.ok()) {
        j["payload"] = {{"content_type", payload->content_type},
                        {"size", payload->body.size()},
                        {"base64", Base64Encode(payload->body)}};
        text += "  payload        " + std::to_string(payload->body.size()) + " bytes, " +
                payload->content_type + ", matches its digest\n";
      } else if (payload.status().code() == Code::kNotFound) {
        text += "  payload        not retained (only its digest is in the leaf)\n";
      } else {
        return payload.status();
      }
    }
    o.Print(j, text);
    return Status::Ok();
  }
  store::EntryQuery q;
  q.subject = a.Get("subject");
  q.actor = a.Get("actor");
  if (auto k = a.Get("kind")) {
    ASSIGN_OR_RETURN(q.kind, ParseEventKind(*k));
  }
  if (auto v = a.Get("from-us")) {
    ASSIGN_OR_RETURN(q.from_us, ParseU64(*v, "--from-us"));
  }
  if (auto v = a.Get("to-us")) {
    ASSIGN_OR_RETURN(q.to_us, ParseU64(*v, "--to-us"));
  }
  ASSIGN_OR_RETURN(q.start_index, a.U64("start", 0));
  ASSIGN_OR_RETURN(uint64_t limit, a.U64("limit", 100));
  if (limit == 0 || limit > 1000) return Status::InvalidArgument("bad_limit", "--limit 1..1000");
  q.limit = limit;
  ASSIGN_OR_RETURN(auto hits, log->store().FindEntries(q));
  nlohmann::json list = nlohmann::json::array();
  std::string text;
  for (uint64_t i : hits) {
    ASSIGN_OR_RETURN(auto leaf, log->store().GetLeaf(i));
    nlohmann::json j = EntryJson(leaf, nullptr);
    text += "#" + std::to_string(i) + "  " + (j.contains("event") ? j["event"].dump() : "") + "\n";
    list.push_back(std::move(j));
  }
  o.Print({{"entries", list}}, text.empty() ? "no matching entries\n" : text);
  return Status::Ok();
}

Status CmdProveInclusion(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "vkey", "size", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  if (a.positional().size() < 3) return Status::InvalidArgument("missing_index", "INDEX is required");
  ASSIGN_OR_RETURN(uint64_t index, ParseU64(a.positional()[2], "INDEX"));
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false, a.Get("vkey").value_or("")));
  ASSIGN_OR_RETURN(uint64_t size, a.U64("size", log->store().size()));
  ASSIGN_OR_RETURN(std::string note, log->store().CheckpointAt(size));
  ASSIGN_OR_RETURN(auto leaf, log->store().GetLeaf(index, size));
  // The leaf bytes ride in the receipt's extra line, so the receipt alone
  // lets anyone recompute the leaf hash (they are authenticated by it).
  TlogProof proof{leaf.leaf, index, leaf.proof, note};
  std::string text = FormatTlogProof(proof);
  nlohmann::json doc = {{"index", index},
                        {"tree_size", size},
                        {"leaf_hash", leaf.leaf_hash.Hex()},
                        {"inclusion_proof", HashesJson(leaf.proof)},
                        {"checkpoint", note},
                        {"tlog_proof", text}};
  // The JSON form is a receipt as ledgerd serves it: with the evidence of
  // the code that sequenced the entry (receipt.md §4) when the store has it.
  if (auto evidence = store::NotaryEvidenceFor(log->store(), index, size); evidence.ok()) {
    doc["notary"] = codec::NotaryEvidenceToJson(*evidence);
  }
  o.Print(doc, text);
  return Status::Ok();
}

Status CmdProveConsistency(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "vkey", "from", "to", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(std::string from, a.Required("from"));
  ASSIGN_OR_RETURN(uint64_t size1, ParseU64(from, "--from"));
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false, a.Get("vkey").value_or("")));
  ASSIGN_OR_RETURN(uint64_t size2, a.U64("to", log->store().size()));
  ASSIGN_OR_RETURN(auto proof, log->store().ConsistencyProof(size1, size2));
  std::string text = "consistency " + std::to_string(size1) + " " + std::to_string(size2) + "\n";
  for (const Hash& h : proof) text += h.Base64() + "\n";
  o.Print({{"size1", size1}, {"size2", size2}, {"proof", HashesJson(proof)}}, text);
  return Status::Ok();
}

}  // namespace ledger::cli
