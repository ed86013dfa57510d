// GET /v1/state/{subject} and /history as library functions (ledger/api/state_http.h).
#include "ledger/api/state_http.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/codec/state_json.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/store/notary_evidence.h"
#include "ledger/store/state_query.h"

namespace ledger::api {
namespace {

using store::LeafWithProof;
using store::LogStore;
using store::NotaryEvidenceFor;
using store::ProveState;
using store::StateHistory;

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A decimal u64 without sign, leading zeros or anything after it.
Result<uint64_t> Decimal(const std::string& text, const std::string& reason, uint64_t min) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0') || v < min) {
    return Status::InvalidArgument(reason, "'" + text.substr(0, 32) +
                                               "' is not a decimal number of at least " +
                                               std::to_string(min));
  }
  return v;
}

// The one value of an allowed parameter; unknown and repeated ones refused.
Status OnlyParams(const QueryParams& q, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : q) {
    bool ok = false;
    for (auto a : allowed) ok = ok || k == a;
    if (!ok) return Status::InvalidArgument("unknown_parameter", "unknown parameter " + k.substr(0, 64));
    if (q.count(k) > 1) return Status::InvalidArgument("unknown_parameter", "parameter " + k + " given twice");
  }
  return Status::Ok();
}

// The tree size the answer is as of: `at` if given (a size the server
// releases), else the released size or the latest.
Result<uint64_t> AnswerSize(const LogStore& store, const QueryParams& q, std::optional<uint64_t> released) {
  const uint64_t latest = store.size();
  const uint64_t limit = released ? std::min(*released, latest) : latest;
  auto it = q.find("at");
  if (it == q.end()) {
    if (limit == 0) return Status::NotFound("no_checkpoint", "the log has no entry yet");
    return limit;
  }
  ASSIGN_OR_RETURN(uint64_t at, Decimal(it->second, "bad_at", 1));
  if (at > limit) {
    return Status::NotFound("no_checkpoint", "no released checkpoint of size " +
                                                 std::to_string(at) + " (latest " +
                                                 std::to_string(limit) + ")");
  }
  return at;
}

Result<nlohmann::json> StateJson(const LogStore& store, std::string_view subject,
                                 const QueryParams& q, std::optional<uint64_t> released) {
  RETURN_IF_ERROR(OnlyParams(q, {"at"}));
  RETURN_IF_ERROR(ValidateSubject(subject));
  ASSIGN_OR_RETURN(uint64_t size, AnswerSize(store, q, released));
  ASSIGN_OR_RETURN(state_map::StateProof answer, ProveState(store, subject, size));
  // Served only once it verifies as a client would check it: a store that
  // was tampered with answers an error, never a proof that fails later.
  auto verified = state_map::VerifyStateProof(answer, store.log_verifier());
  if (!verified.ok()) {
    return Status::Corruption("state_answer_invalid",
                              "the stored state answer does not verify: " +
                                  verified.status().ToString());
  }
  nlohmann::json doc = codec::StateProofToJson(answer);
  doc["state"] = codec::VerifiedStateToJson(*verified);
  // The measured code behind the answer (map.md §9, receipt.md §4): the
  // notary that sequenced the subject's latest entry, or, for an absent
  // subject, the one that sequenced the last entry under the checkpoint.
  const uint64_t entry = verified->value ? verified->value->index : size - 1;
  auto evidence = NotaryEvidenceFor(store, entry, size);
  if (evidence.ok()) {
    doc["notary"] = codec::NotaryEvidenceToJson(*evidence);
  } else if (evidence.status().code() != Code::kNotFound) {
    return evidence.status();
  }
  return doc;
}

Result<nlohmann::json> HistoryJson(const LogStore& store, std::string_view subject,
                                   const QueryParams& q, std::optional<uint64_t> released) {
  RETURN_IF_ERROR(OnlyParams(q, {"at", "cursor", "limit"}));
  RETURN_IF_ERROR(ValidateSubject(subject));
  ASSIGN_OR_RETURN(uint64_t size, AnswerSize(store, q, released));
  uint64_t cursor = 0;
  if (auto it = q.find("cursor"); it != q.end()) {
    ASSIGN_OR_RETURN(cursor, Decimal(it->second, "bad_cursor", 0));
  }
  uint64_t limit = kDefaultHistoryLimit;
  if (auto it = q.find("limit"); it != q.end()) {
    ASSIGN_OR_RETURN(limit, Decimal(it->second, "bad_limit", 1));
    if (limit > kMaxHistoryLimit) {
      return Status::InvalidArgument("bad_limit",
                                     "limit is at most " + std::to_string(kMaxHistoryLimit));
    }
  }
  ASSIGN_OR_RETURN(std::string checkpoint, store.CheckpointAt(size));
  // The map's version is how many entries name the subject (map.md §5): the
  // count a client compares the whole history with.
  ASSIGN_OR_RETURN(Hash root, store.MapRootAt(size));
  const Hash key = state_map::KeyOf(subject);
  ASSIGN_OR_RETURN(state_map::Proof proof, store.MapProof(key, size));
  ASSIGN_OR_RETURN(auto value, state_map::VerifyProof(root, key, proof));
  // One more than a page tells whether there is a next one.
  ASSIGN_OR_RETURN(auto entries, StateHistory(store, subject, size, cursor, limit + 1));
  nlohmann::json versions = nlohmann::json::array();
  std::optional<uint64_t> next;
  for (const LeafWithProof& e : entries) {
    if (versions.size() == limit) {
      next = e.index;
      break;
    }
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(e.leaf));
    ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
    nlohmann::json proof_json = nlohmann::json::array();
    for (const Hash& h : e.proof) proof_json.push_back(h.Base64());
    versions.push_back({{"index", e.index},
                        {"leaf", Base64Encode(e.leaf)},
                        {"leaf_hash", e.leaf_hash.Base64()},
                        {"inclusion_proof", std::move(proof_json)},
                        {"recorded_at_us", leaf.recorded_at_us},
                        {"event", codec::EventToJson(event)}});
  }
  return nlohmann::json{{"subject", std::string(subject)},
                        {"tree_size", size},
                        {"checkpoint", checkpoint},
                        {"map_root", root.Hex()},
                        {"version", value ? value->version : 0},
                        {"versions", std::move(versions)},
                        {"next_cursor", next ? nlohmann::json(std::to_string(*next)) : nullptr}};
}

}  // namespace

Status ValidateSubject(std::string_view subject) {
  if (subject.empty() || subject.size() > kMaxEventStringSize) {
    return Status::InvalidArgument("bad_subject", "a subject is 1 to 4096 bytes");
  }
  if (!IsValidUtf8(subject)) return Status::InvalidArgument("bad_subject", "the subject is not UTF-8");
  for (unsigned char c : subject) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("bad_subject", "the subject contains a control character");
    }
  }
  return Status::Ok();
}

Result<std::string> StateAnswerBody(const LogStore& store, std::string_view subject,
                                    const QueryParams& query,
                                    std::optional<uint64_t> released_size) {
  ASSIGN_OR_RETURN(nlohmann::json doc, StateJson(store, subject, query, released_size));
  return Dump(doc);
}

Result<std::string> StateHistoryBody(const LogStore& store, std::string_view subject,
                                     const QueryParams& query,
                                     std::optional<uint64_t> released_size) {
  ASSIGN_OR_RETURN(nlohmann::json doc, HistoryJson(store, subject, query, released_size));
  return Dump(doc);
}

}  // namespace ledger::api
