#include "ledger/ledgerd/entries.h"

#include "ledger/base/hash.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/event_proto.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/record/event.h"
#include "ledger/store/notary_evidence.h"
#include "ledger/v1/api.pb.h"

#include <google/protobuf/unknown_field_set.h>

namespace ledger::ledgerd {
namespace {

bool HasUnknown(const google::protobuf::Message& m) {
  return !m.GetReflection()->GetUnknownFields(m).empty();
}

// The notary evidence of entry `index` at `tree_size` (receipt.md §4), or
// null when the store lacks a piece of it (a log written before app proofs
// were kept): the receipt is still valid, and a verifier that pins a PCR0
// refuses it for want of evidence.
Result<nlohmann::json> NotaryJson(const store::LogStore& store, uint64_t index,
                                  uint64_t tree_size, ReceiptCache* cache) {
  if (cache) {
    // A request's receipts span a few batches: a scan is enough.
    for (const auto& [key, json] : cache->notary) {
      if (key.second != tree_size) continue;
      const uint64_t first = json["batch"]["first_index"].get<uint64_t>();
      const uint64_t count = json["batch"]["count"].get<uint64_t>();
      if (index >= first && index - first < count) return json;
    }
  }
  auto evidence = store::NotaryEvidenceFor(store, index, tree_size);
  if (!evidence.ok()) {
    if (evidence.status().code() == Code::kNotFound) return nlohmann::json(nullptr);
    return evidence.status();
  }
  nlohmann::json j = codec::NotaryEvidenceToJson(*evidence);
  if (cache) cache->notary.emplace(std::make_pair(evidence->first_index, tree_size), j);
  return j;
}

constexpr char kDefaultContentType[] = "text/plain; charset=utf-8";

// Attaches the payload (its digest must be the event's, or becomes it) and
// encodes the event canonically.
Result<Entry> MakeEntry(Event event, std::optional<Bytes> canonical, Bytes stamp,
                        std::optional<std::string> payload, std::string content_type) {
  Entry e;
  if (payload) {
    if (payload->size() > kMaxPayloadSize) {
      return Status::InvalidArgument("payload_too_large", "payload bodies are at most " +
                                                              std::to_string(kMaxPayloadSize) +
                                                              " bytes");
    }
    store::Payload p;
    p.body = ToBytes(*payload);
    p.digest = Sha256::Digest(p.body);
    p.content_type = content_type.empty() ? kDefaultContentType : std::move(content_type);
    if (event.payload_digest && *event.payload_digest != p.digest) {
      return Status::InvalidArgument("payload_mismatch",
                                     "payload_digest is not the SHA-256 of payload");
    }
    if (canonical && !event.payload_digest) {
      return Status::InvalidArgument("payload_mismatch",
                                     "event_bytes with a payload must carry its payload_digest");
    }
    event.payload_digest = p.digest;
    e.payload = std::move(p);
  }
  if (canonical) {
    e.event.event = std::move(*canonical);
  } else {
    ASSIGN_OR_RETURN(e.event.event, EncodeEvent(event));
  }
  e.event.stamp = std::move(stamp);
  e.request_id = event.request_id;
  return e;
}

Result<Entry> JsonEntry(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("not_an_object", "an entry is an object");
  for (const auto& [k, v] : j.items()) {
    if (k != "event" && k != "event_bytes" && k != "stamp" && k != "payload" &&
        k != "payload_content_type") {
      return Status::InvalidArgument("unknown_field", "unknown entry field " + k);
    }
    if (k != "event" && !v.is_string()) {
      return Status::InvalidArgument("wrong_type", k + " must be a string");
    }
  }
  if (j.contains("event") == j.contains("event_bytes")) {
    return Status::InvalidArgument("missing_field", "an entry has exactly one of event, event_bytes");
  }
  Bytes stamp;
  if (j.contains("stamp")) {
    auto s = Base64Decode(j["stamp"].get<std::string>());
    if (!s.ok()) return Status::InvalidArgument("bad_stamp", "stamp is not base64");
    stamp = std::move(*s);
  }
  std::optional<std::string> payload;
  if (j.contains("payload")) payload = j["payload"].get<std::string>();
  std::string content_type = j.value("payload_content_type", "");
  if (j.contains("event")) {
    ASSIGN_OR_RETURN(Event event, codec::EventFromJsonValue(j["event"]));
    return MakeEntry(std::move(event), std::nullopt, std::move(stamp), std::move(payload),
                     std::move(content_type));
  }
  auto bytes = Base64Decode(j["event_bytes"].get<std::string>());
  if (!bytes.ok()) return Status::InvalidArgument("bad_event_bytes", "event_bytes is not base64");
  ASSIGN_OR_RETURN(Event event, DecodeEvent(*bytes));
  return MakeEntry(std::move(event), std::move(*bytes), std::move(stamp), std::move(payload),
                   std::move(content_type));
}

}  // namespace

Result<std::vector<Entry>> ParseJsonEntries(std::string_view body, size_t max_size) {
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(body, max_size));
  std::vector<Entry> out;
  if (j.is_object() && j.contains("entries")) {
    if (j.size() != 1) return Status::InvalidArgument("unknown_field", "only entries is allowed");
    const auto& list = j["entries"];
    if (!list.is_array() || list.empty() || list.size() > kMaxEntriesPerRequest) {
      return Status::InvalidArgument("bad_entries", "entries is a non-empty array of at most " +
                                                        std::to_string(kMaxEntriesPerRequest));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      auto e = JsonEntry(list[i]);
      if (!e.ok()) return e.status().Annotate("entries[" + std::to_string(i) + "]");
      out.push_back(std::move(*e));
    }
    return out;
  }
  ASSIGN_OR_RETURN(Entry e, JsonEntry(j));
  out.push_back(std::move(e));
  return out;
}

Result<std::vector<Entry>> ParseProtoEntries(std::string_view body) {
  ledger::v1::AppendRequest req;
  if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status::InvalidArgument("malformed_protobuf", "the body is not an AppendRequest");
  }
  if (HasUnknown(req)) {
    return Status::InvalidArgument("unknown_field", "AppendRequest carries unknown fields");
  }
  if (req.events_size() == 0 || static_cast<size_t>(req.events_size()) > kMaxEntriesPerRequest) {
    return Status::InvalidArgument("bad_entries", "events is non-empty and at most " +
                                                      std::to_string(kMaxEntriesPerRequest));
  }
  std::vector<Entry> out;
  for (const auto& se : req.events()) {
    if (HasUnknown(se)) {
      return Status::InvalidArgument("unknown_field", "SubmittedEvent carries unknown fields");
    }
    std::optional<std::string> payload;
    if (!se.payload().empty()) payload = se.payload();
    Result<Entry> e = Status::InvalidArgument("missing_field", "an entry needs an event");
    if (se.has_event()) {
      ASSIGN_OR_RETURN(Event event, codec::EventFromProto(se.event()));
      e = MakeEntry(std::move(event), std::nullopt, ToBytes(se.stamp()), std::move(payload),
                    se.payload_content_type());
    } else if (se.has_canonical_event()) {
      Bytes bytes = ToBytes(se.canonical_event());
      ASSIGN_OR_RETURN(Event event, DecodeEvent(bytes));
      e = MakeEntry(std::move(event), std::move(bytes), ToBytes(se.stamp()), std::move(payload),
                    se.payload_content_type());
    }
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  return out;
}

Result<nlohmann::json> ReceiptJson(const store::LogStore& store, uint64_t index,
                                   const Acknowledged* ack, uint64_t tree_size,
                                   ReceiptCache* cache) {
  ASSIGN_OR_RETURN(store::LeafWithProof leaf, store.GetLeaf(index, tree_size));
  std::string checkpoint;
  if (cache && cache->checkpoints.contains(leaf.tree_size)) {
    checkpoint = cache->checkpoints.at(leaf.tree_size);
  } else {
    ASSIGN_OR_RETURN(checkpoint, store.CheckpointAt(leaf.tree_size));
    if (cache) cache->checkpoints.emplace(leaf.tree_size, checkpoint);
  }
  ASSIGN_OR_RETURN(nlohmann::json notary, NotaryJson(store, index, leaf.tree_size, cache));
  TlogProof tp;
  tp.extra = leaf.leaf;
  tp.index = index;
  tp.inclusion = leaf.proof;
  tp.checkpoint = checkpoint;
  nlohmann::json proof = nlohmann::json::array();
  for (const Hash& h : leaf.proof) proof.push_back(h.Base64());
  nlohmann::json r = {{"index", index},
                      {"leaf", Base64Encode(leaf.leaf)},
                      {"leaf_hash", leaf.leaf_hash.Base64()},
                      {"tree_size", leaf.tree_size},
                      {"inclusion_proof", proof},
                      {"checkpoint", checkpoint},
                      {"tlog_proof", FormatTlogProof(tp)}};
  if (!notary.is_null()) r["notary"] = std::move(notary);
  if (ack && !ack->app_proof.payload.empty()) {
    r["app_proof"] = {{"payload", ack->app_proof.payload},
                      {"signature", Base64Encode(ack->app_proof.signature)},
                      {"public_key", Base64Encode(ack->app_proof.public_key)},
                      {"checkpoint", ack->batch_checkpoint},
                      {"first_index", ack->batch_first_index},
                      {"count", ack->batch_count}};
  }
  return r;
}

}  // namespace ledger::ledgerd
