// The range file of a filtered export (export-bundle.md §3.1): every leaf
// hash of the scope's range and the two boundary inclusion proofs, folded to
// the signed root.
//
// Why two inclusion proofs suffice (RFC 9162 §2.1.1's tree shape): walk the
// tree [0, N) from the root, splitting at the largest power of two below the
// width. A node inside [first, end) is the MTH of the range's own leaf
// hashes; a node partly inside is split again; a node disjoint from the range
// always has a sibling that contains `first` or `end - 1` (its parent
// overlaps the range and it does not), so it lies on the audit path of one
// of the two boundary leaves and its hash is in that leaf's proof. If the
// fold equals the signed root, the range holds exactly these leaves (the
// hash is collision resistant), so no entry of the range can be hidden.
#include <map>
#include <utility>

#include "ledger/bundle/bundle.h"
#include "ledger/bundle/jcs.h"
#include "ledger/codec/event_json.h"
#include "ledger/merkle/merkle.h"

namespace ledger::bundle {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_range", why);
}

// The largest power of two strictly below n (n >= 2), RFC 9162 §2.1.1's k.
uint64_t Split(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

using Span = std::pair<uint64_t, uint64_t>;  // [lo, hi)

// The subtrees of leaf m's audit path in [0, size), top-down.
std::vector<Span> AuditPath(uint64_t m, uint64_t size) {
  std::vector<Span> out;
  uint64_t lo = 0, hi = size;
  while (hi - lo > 1) {
    const uint64_t mid = lo + Split(hi - lo);
    if (m < mid) {
      out.push_back({mid, hi});
      hi = mid;
    } else {
      out.push_back({lo, mid});
      lo = mid;
    }
  }
  return out;
}

// Adds leaf m's proof (bottom-up, as RFC 9162 lists it) to `known`.
Status AddPath(uint64_t m, uint64_t size, const std::vector<Hash>& proof,
               std::map<Span, Hash>& known) {
  std::vector<Span> path = AuditPath(m, size);
  if (path.size() != proof.size()) {
    return Malformed("an inclusion proof of leaf " + std::to_string(m) + " in a tree of size " +
                     std::to_string(size) + " has " + std::to_string(path.size()) + " hashes");
  }
  for (size_t i = 0; i < path.size(); ++i) known[path[path.size() - 1 - i]] = proof[i];
  return Status::Ok();
}

Result<Hash> Fold(const RangeProof& p, const std::map<Span, Hash>& known, uint64_t lo,
                  uint64_t hi) {
  if (hi <= p.first || lo >= p.end) {
    auto it = known.find({lo, hi});
    if (it == known.end()) return Malformed("no hash for subtree outside the range");
    return it->second;
  }
  if (p.first <= lo && hi <= p.end) {
    return merkle::RootFromLeafHashes(
        std::span<const Hash>(p.leaf_hashes).subspan(lo - p.first, hi - lo));
  }
  const uint64_t mid = lo + Split(hi - lo);
  ASSIGN_OR_RETURN(Hash left, Fold(p, known, lo, mid));
  ASSIGN_OR_RETURN(Hash right, Fold(p, known, mid, hi));
  return merkle::NodeHash(left, right);
}

nlohmann::json HashesJson(const std::vector<Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const Hash& h : hashes) out.push_back(h.Base64());
  return out;
}

Result<std::vector<Hash>> HashesField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_array() || it->size() > 64) {
    return Malformed(std::string(name) + " is not a proof (an array of at most 64 hashes)");
  }
  std::vector<Hash> out;
  for (const auto& h : *it) {
    if (!h.is_string()) return Malformed(std::string(name) + " holds a non-string");
    auto hash = Hash::FromBase64(h.get<std::string>());
    if (!hash.ok()) return Malformed(std::string(name) + " holds a bad hash");
    out.push_back(*hash);
  }
  return out;
}

Result<uint64_t> U64(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) {
    return Malformed(std::string("missing or non-integer field ") + name);
  }
  return it->get<uint64_t>();
}

Result<std::string> Header(const RangeProof& p) {
  return CanonicalJson({{"end", p.end},
                        {"first", p.first},
                        {"left", HashesJson(p.left)},
                        {"right", HashesJson(p.right)},
                        {"tree_size", p.tree_size}});
}

}  // namespace

Result<std::string> FormatRange(const RangeProof& p) {
  if (p.end <= p.first || p.end > p.tree_size || p.leaf_hashes.size() != p.end - p.first) {
    return Malformed("a range needs first < end <= tree_size and one hash per leaf");
  }
  ASSIGN_OR_RETURN(std::string out, Header(p));
  out.reserve(out.size() + 1 + 45 * p.leaf_hashes.size());
  out += "\n";
  for (const Hash& h : p.leaf_hashes) out += h.Base64() + "\n";
  return out;
}

Result<RangeProof> ParseRange(std::string_view text) {
  auto lines = SplitLines(text);
  if (!lines.ok() || lines->empty()) return Malformed("not JSON Lines with a header");
  auto header = codec::ParseJsonStrict((*lines)[0], kMaxLineSize);
  if (!header.ok() || !header->is_object()) return Malformed("the header is not a JSON object");
  RangeProof p;
  ASSIGN_OR_RETURN(p.first, U64(*header, "first"));
  ASSIGN_OR_RETURN(p.end, U64(*header, "end"));
  ASSIGN_OR_RETURN(p.tree_size, U64(*header, "tree_size"));
  ASSIGN_OR_RETURN(p.left, HashesField(*header, "left"));
  ASSIGN_OR_RETURN(p.right, HashesField(*header, "right"));
  if (p.end <= p.first || p.end > p.tree_size) {
    return Malformed("the range is not first < end <= tree_size");
  }
  // Compared before the lines are read, so a lying header cannot make the
  // parser reserve more than the text holds.
  if (lines->size() - 1 != p.end - p.first) {
    return Malformed("the range has " + std::to_string(p.end - p.first) + " leaves but " +
                     std::to_string(lines->size() - 1) + " hash lines");
  }
  auto canonical = Header(p);
  if (!canonical.ok() || *canonical != (*lines)[0]) return Malformed("the header is not canonical");
  p.leaf_hashes.reserve(lines->size() - 1);
  for (size_t i = 1; i < lines->size(); ++i) {
    auto h = Hash::FromBase64((*lines)[i]);
    if (!h.ok() || h->Base64() != (*lines)[i]) {
      return Malformed("line " + std::to_string(i + 1) + " is not a base64 leaf hash");
    }
    p.leaf_hashes.push_back(*h);
  }
  return p;
}

Status VerifyRange(const RangeProof& p, const Hash& root) {
  if (p.end <= p.first || p.end > p.tree_size || p.leaf_hashes.size() != p.end - p.first) {
    return Malformed("a range needs first < end <= tree_size and one hash per leaf");
  }
  std::map<Span, Hash> known;
  RETURN_IF_ERROR(AddPath(p.first, p.tree_size, p.left, known));
  RETURN_IF_ERROR(AddPath(p.end - 1, p.tree_size, p.right, known));
  ASSIGN_OR_RETURN(Hash folded, Fold(p, known, 0, p.tree_size));
  if (folded != root) {
    return Status::VerificationFailed("range_mismatch",
                                      "the range's leaf hashes do not fold to the signed root");
  }
  return Status::Ok();
}

}  // namespace ledger::bundle
