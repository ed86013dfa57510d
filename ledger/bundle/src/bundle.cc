// Entry and proof lines, bag manifests (schemas/formats/export-bundle.md §3-§5).
#include "ledger/bundle/bundle.h"

#include <algorithm>

#include "ledger/base/hash.h"
#include "ledger/bundle/jcs.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/merkle/merkle.h"

namespace ledger::bundle {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_line", why);
}

Result<nlohmann::json> ParseObject(std::string_view line) {
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(line, kMaxLineSize));
  if (!j.is_object()) return Malformed("a line is not a JSON object");
  return j;
}

Result<uint64_t> U64Field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) {
    return Malformed(std::string("missing or non-integer field ") + name);
  }
  return it->get<uint64_t>();
}

Result<std::vector<Hash>> HashesField(const nlohmann::json& j) {
  auto it = j.find("hashes");
  if (it == j.end() || !it->is_array() || it->size() > 128) return Malformed("bad hashes");
  std::vector<Hash> out;
  for (const auto& h : *it) {
    if (!h.is_string()) return Malformed("a hash is not a string");
    auto hash = Hash::FromBase64(h.get<std::string>());
    if (!hash.ok()) return Malformed("a hash is not 32 bytes of base64");
    out.push_back(*hash);
  }
  return out;
}

nlohmann::json HashesJson(const std::vector<Hash>& hashes) {
  nlohmann::json a = nlohmann::json::array();
  for (const Hash& h : hashes) a.push_back(h.Base64());
  return a;
}

// The JSON is re-rendered from the parsed values and compared with the input:
// one canonical line per value, so nothing can hide in formatting.
Status SameAsCanonical(std::string_view line, const Result<std::string>& canonical) {
  if (!canonical.ok()) return canonical.status();
  if (*canonical != line) return Malformed("line is not in canonical form (RFC 8785)");
  return Status::Ok();
}

}  // namespace

Result<std::string> FormatEntryLine(ByteView leaf_bytes) {
  ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(leaf_bytes));
  ASSIGN_OR_RETURN(Event event, DecodeEvent(leaf.event));
  // A leaf from a bundle is untrusted: a time beyond year 9999 has no RFC 3339
  // form (FormatRfc3339Micros requires it), so it is refused, not rendered.
  if (leaf.recorded_at_us > kMaxOccurredAtUs) {
    return Malformed("recorded_at beyond 9999-12-31T23:59:59.999999Z");
  }
  nlohmann::json j = {{"event", codec::EventToJson(event)},
                      {"index", leaf.index},
                      {"leaf", Base64Encode(leaf_bytes)},
                      {"leaf_hash", merkle::LeafHash(leaf_bytes).Hex()},
                      {"recorded_at", codec::FormatRfc3339Micros(leaf.recorded_at_us)},
                      {"recorded_at_us", leaf.recorded_at_us}};
  return CanonicalJson(j);
}

Result<EntryLine> ParseEntryLine(std::string_view line) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(line));
  auto leaf_it = j.find("leaf");
  if (leaf_it == j.end() || !leaf_it->is_string()) return Malformed("missing leaf");
  auto leaf = Base64Decode(leaf_it->get<std::string>());
  if (!leaf.ok()) return Malformed("leaf is not base64");
  EntryLine e;
  e.leaf = std::move(leaf).value();
  auto decoded = DecodeLeaf(e.leaf);
  if (!decoded.ok()) return Status::VerificationFailed("bad_leaf", decoded.status().message());
  e.decoded = std::move(decoded).value();
  auto event = DecodeEvent(e.decoded.event);
  if (!event.ok()) return Status::VerificationFailed("bad_leaf", event.status().message());
  e.event = std::move(event).value();
  e.index = e.decoded.index;
  e.leaf_hash = merkle::LeafHash(e.leaf);
  ASSIGN_OR_RETURN(std::string canonical, FormatEntryLine(e.leaf));
  if (canonical != line) {
    return Status::VerificationFailed(
        "line_mismatch", "the JSON of entry " + std::to_string(e.index) +
                             " does not say what its leaf bytes say (or is not canonical)");
  }
  return e;
}

Result<std::vector<std::string_view>> SplitLines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return Status::InvalidArgument("malformed_jsonl", "last line has no newline");
    }
    if (nl > kMaxLineSize) return Status::InvalidArgument("malformed_jsonl", "line too long");
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return out;
}

Result<std::string> FormatInclusionLine(const InclusionLine& p) {
  return CanonicalJson(
      {{"hashes", HashesJson(p.hashes)}, {"index", p.index}, {"tree_size", p.tree_size}});
}

Result<std::string> FormatConsistencyLine(const ConsistencyLine& p) {
  return CanonicalJson({{"from", p.from}, {"hashes", HashesJson(p.hashes)}, {"to", p.to}});
}

Result<InclusionLine> ParseInclusionLine(std::string_view line) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(line));
  InclusionLine p;
  ASSIGN_OR_RETURN(p.index, U64Field(j, "index"));
  ASSIGN_OR_RETURN(p.tree_size, U64Field(j, "tree_size"));
  ASSIGN_OR_RETURN(p.hashes, HashesField(j));
  RETURN_IF_ERROR(SameAsCanonical(line, FormatInclusionLine(p)));
  return p;
}

Result<ConsistencyLine> ParseConsistencyLine(std::string_view line) {
  ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(line));
  ConsistencyLine p;
  ASSIGN_OR_RETURN(p.from, U64Field(j, "from"));
  ASSIGN_OR_RETURN(p.to, U64Field(j, "to"));
  ASSIGN_OR_RETURN(p.hashes, HashesField(j));
  RETURN_IF_ERROR(SameAsCanonical(line, FormatConsistencyLine(p)));
  return p;
}

std::string CheckpointPath(uint64_t size) {
  return std::string(kCheckpointDir) + std::to_string(size) + ".txt";
}

std::string PayloadPath(const Hash& digest) { return std::string(kPayloadDir) + digest.Hex(); }

std::string RenderBagManifest(const Files& files, const std::vector<std::string>& paths) {
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const std::string& p : sorted) {
    auto it = files.find(p);
    if (it == files.end()) continue;
    out += Sha256::Digest(AsBytes(it->second)).Hex() + "  " + p + "\n";
  }
  return out;
}

}  // namespace ledger::bundle
