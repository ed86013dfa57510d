// State shared by the verifier's checks (verify.cc, verify_entries.cc).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "ledger/bundle/verify.h"
#include "ledger/note/checkpoint.h"

namespace ledger::bundle::internal {

struct Context {
  Context(const Files& f, const VerifyOptions& o) : files(f), options(o) {}
  const Files& files;
  const VerifyOptions& options;
  std::string origin;
  nlohmann::json manifest;  // null if unreadable
  std::vector<EntryLine> entries, evidence, boundaries;
  size_t bad_entry_lines = 0, bad_evidence_lines = 0, bad_boundary_lines = 0;
  std::string first_bad_entry, first_bad_evidence, first_bad_boundary;
  // size -> checkpoint, verified with the pinned key (only those that verify).
  std::map<uint64_t, VerifiedCheckpoint> checkpoints;
  // The witness quorum K of the pinned policy (options.witnesses); the
  // checkpoints above are verified with its keys, not held to K.
  size_t witness_quorum = 0;
  // The export receipt's checkpoint, once export.signed verified it with the
  // witness policy (K cosignatures) and proved the bundle consistent with it.
  std::optional<VerifiedCheckpoint> receipt_checkpoint;
  std::vector<ConsistencyLine> consistency;
  std::map<uint64_t, InclusionLine> inclusion;  // by index
  std::vector<CheckResult> out;

  const std::string* File(const std::string& path) const {
    auto it = files.find(path);
    return it == files.end() ? nullptr : &it->second;
  }
  void Pass(std::string name, std::string detail) {
    out.push_back({std::move(name), true, false, std::move(detail)});
  }
  void Fail(std::string name, std::string detail) {
    out.push_back({std::move(name), false, false, std::move(detail)});
  }
  void Skip(std::string name, std::string detail) {
    out.push_back({std::move(name), true, true, std::move(detail)});
  }
  std::optional<uint64_t> ManifestU64(const char* key) const {
    if (!manifest.is_object() || !manifest.contains(key) ||
        !manifest[key].is_number_unsigned()) {
      return std::nullopt;
    }
    return manifest[key].get<uint64_t>();
  }
};

// verify_entries.cc
void ParseEntries(Context& c);
void CheckEntryLeaves(Context& c);
void CheckChain(Context& c);
void CheckStamps(Context& c);
void CheckGapless(Context& c);
void CheckInclusion(Context& c);
void CheckEvidence(Context& c);
void CheckPayloads(Context& c);
void CheckReports(Context& c);
// verify_timestamp.cc
void CheckTimestamp(Context& c);
// verify_scope.cc
void CheckRange(Context& c);
void CheckBoundaries(Context& c);
void CheckScope(Context& c);
// verify_retention.cc
void CheckRetention(Context& c);
void CheckRetentionState(Context& c);
// verify_witness_time.cc
void CheckWitnessTime(Context& c);

}  // namespace ledger::bundle::internal
