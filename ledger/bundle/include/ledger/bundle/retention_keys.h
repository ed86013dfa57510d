// data/proofs/retention.jsonl (export-bundle.md §3.3): the retention state of
// every exported subject, proven by map proofs against the map root of the
// bundle's checkpoint (map.md §5b), and which keys a bundle must prove.
//
// Without these proofs the holds, extensions and class configurations a
// bundle ships as evidence are the exporter's choice: leaving a hold out
// makes the replayed history look clean. A key's value counts the entries
// that set it (`version`) and names the last (`index`), so a verifier that
// holds the proven value can tell whether the shipped history is all of it.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/bundle/bundle.h"
#include "ledger/record/state_map.h"

namespace ledger::bundle {

inline constexpr char kRetentionJsonl[] = "data/proofs/retention.jsonl";

// One line: a retention subject key, class key or disposal key (map.md §2)
// with its proof against the map root of the manifest's tree_size and, for
// a present subject or class key, the record its value's state is the
// SHA-256 of.
//   {"proof":"<base64>","record":"<base64>","subject":"S"}
//   {"class":"C","proof":"<base64>","record":"<base64>"}
//   {"proof":"<base64>","record_index":R}
// "record" is left out when the key is absent (and only then).
struct RetentionKeyLine {
  enum class Kind { kSubject, kClass, kDisposal };
  Kind kind = Kind::kSubject;
  std::string name;           // subject or class name
  uint64_t record_index = 0;  // disposal keys
  state_map::Proof proof;
  Bytes record;

  // retention_map::SubjectKey / ClassKey / DisposalKey of the line.
  Hash Key() const;
  // "subject S", "class C", "disposal of record R".
  std::string Describe() const;
};

Result<std::string> FormatRetentionKeyLine(const RetentionKeyLine& line);
// Strict: canonical JSON with exactly the fields of one kind;
// InvalidArgument("malformed_line") otherwise, and the map proof's own
// decoding errors (malformed_map_proof).
Result<RetentionKeyLine> ParseRetentionKeyLine(std::string_view line);

// The keys a bundle proves, derived from the lines it ships, so the exporter
// and the verifier compute the same set:
//   subjects:  the subject of every entry in scope;
//   classes:   the retention class of every entry and evidence line;
//   disposals: every entry and evidence line whose payload body is not
//              shipped (`retained` lists the digests that are), and the
//              record of every RECORD_DISPOSED line that invokes the rule.
struct RetentionKeys {
  std::set<std::string> subjects, classes;
  std::set<uint64_t> disposals;
  size_t size() const { return subjects.size() + classes.size() + disposals.size(); }
};
RetentionKeys RetentionKeysOf(const std::vector<EntryLine>& entries,
                              const std::vector<EntryLine>& evidence,
                              const std::set<Hash>& retained);

}  // namespace ledger::bundle
