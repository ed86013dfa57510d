// Export bundle: the files of a compliance export and the formats shared by
// the exporter (ledger::exporter) and the offline verifier (verify.h).
// Byte-exact layout: schemas/formats/export-bundle.md.
//
// A bundle is a BagIt-style bag (RFC 8493): tag files at the top, the
// exported data under data/. Every data file is listed in
// manifest-sha256.txt; the export manifest commits to that file's digest, and
// the EXPORT_CREATED entry appended to the log commits to the export
// manifest's digest (it is that entry's payload), so the log's signed
// checkpoint over that entry signs the whole bundle.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"

namespace ledger::bundle {

// Relative path (forward slashes) -> file content.
using Files = std::map<std::string, std::string>;

inline constexpr char kBagitTxt[] = "bagit.txt";
inline constexpr char kBagInfoTxt[] = "bag-info.txt";
inline constexpr char kManifestSha256[] = "manifest-sha256.txt";
inline constexpr char kTagManifestSha256[] = "tagmanifest-sha256.txt";
inline constexpr char kExportManifest[] = "export-manifest.json";
inline constexpr char kExportReceipt[] = "export-receipt.json";
// Optional tag file: an RFC 3161 time-stamp token (DER) over the SHA-256 of
// export-manifest.json (export-bundle.md §6.1).
inline constexpr char kExportTimestamp[] = "export-manifest.tsr";
inline constexpr char kEntriesJsonl[] = "data/entries.jsonl";
inline constexpr char kEvidenceJsonl[] = "data/evidence.jsonl";
inline constexpr char kEntriesCsv[] = "data/entries.csv";
inline constexpr char kReportHtml[] = "data/report.html";
inline constexpr char kIndexJson[] = "data/index.json";
inline constexpr char kPayloadsJson[] = "data/payloads.json";
inline constexpr char kInclusionJsonl[] = "data/proofs/inclusion.jsonl";
inline constexpr char kConsistencyJsonl[] = "data/proofs/consistency.jsonl";
// Filtered exports only: every leaf hash of the scope's range (§3.1).
inline constexpr char kRangeJsonl[] = "data/proofs/range.jsonl";
// The leaves just outside the scope's range, when the range does not reach
// an end of the tree: entry lines like entries.jsonl (§3.2).
inline constexpr char kBoundariesJsonl[] = "data/proofs/boundaries.jsonl";
inline constexpr char kCheckpointDir[] = "data/checkpoints/";
inline constexpr char kPayloadDir[] = "data/payloads/";
inline constexpr char kBagitContent[] = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
inline constexpr char kExportFormat[] = "audit-ledger-export/v1";

// Bounds a verifier applies before reading anything (untrusted input).
inline constexpr size_t kMaxBundleFiles = 1u << 20;
inline constexpr uint64_t kMaxBundleBytes = 16ull << 30;
inline constexpr size_t kMaxLineSize = 1u << 20;

// One exported entry: a line of entries.jsonl or evidence.jsonl.
struct EntryLine {
  uint64_t index = 0;
  Bytes leaf;       // the exact leaf bytes as the log stores and hashes them
  Hash leaf_hash;   // merkle::LeafHash(leaf)
  Leaf decoded;     // DecodeLeaf(leaf)
  Event event;      // DecodeEvent(decoded.event)
};

// The canonical JSON line (without the newline):
// {"event":{...},"index":N,"leaf":"<base64>","leaf_hash":"<hex>",
//  "recorded_at":"<RFC 3339 µs>","recorded_at_us":N}
// The index and times come from the leaf itself.
Result<std::string> FormatEntryLine(ByteView leaf);
// Strict: the line must be exactly FormatEntryLine of its own leaf bytes
// (InvalidArgument "malformed_line" / VerificationFailed "line_mismatch" when
// the JSON says something the leaf does not).
Result<EntryLine> ParseEntryLine(std::string_view line);

// Splits JSON Lines text (each line ends with '\n'); InvalidArgument
// ("malformed_jsonl") for a missing final newline or an over-long line.
Result<std::vector<std::string_view>> SplitLines(std::string_view text);

// Proof lines: {"hashes":["<base64>",...],"index":N,"tree_size":S} and
// {"from":M,"hashes":[...],"to":N}.
struct InclusionLine {
  uint64_t index = 0, tree_size = 0;
  std::vector<Hash> hashes;
};
struct ConsistencyLine {
  uint64_t from = 0, to = 0;
  std::vector<Hash> hashes;
};
Result<std::string> FormatInclusionLine(const InclusionLine& p);
Result<std::string> FormatConsistencyLine(const ConsistencyLine& p);
Result<InclusionLine> ParseInclusionLine(std::string_view line);
Result<ConsistencyLine> ParseConsistencyLine(std::string_view line);

// data/proofs/range.jsonl (export-bundle.md §3.1): a header line
// {"end":E,"first":F,"left":[...],"right":[...],"tree_size":N} (left/right:
// the RFC 9162 inclusion proofs of leaves F and E-1), then one line per leaf
// hash of [F, E), base64. With the two proofs the leaf hashes fold to the
// root of size N, which proves that the range holds exactly these leaves.
struct RangeProof {
  uint64_t first = 0, end = 0, tree_size = 0;
  std::vector<Hash> leaf_hashes;
  std::vector<Hash> left, right;
};
Result<std::string> FormatRange(const RangeProof& p);
// Strict: InvalidArgument("malformed_range") for any text FormatRange would
// not produce (count of leaf lines != end - first included).
Result<RangeProof> ParseRange(std::string_view text);
// OK when the leaf hashes with the boundary proofs fold to `root`;
// VerificationFailed("range_mismatch") otherwise, InvalidArgument
// ("malformed_range") for an impossible range or proof length.
Status VerifyRange(const RangeProof& p, const Hash& root);

// data/checkpoints/<size>.txt
std::string CheckpointPath(uint64_t size);
// data/payloads/<hex digest>
std::string PayloadPath(const Hash& digest);

// Human-readable renderings, regenerated by the verifier and compared byte
// for byte (that is how it checks the CSV and HTML say what the JSON says).
// `manifest` is the parsed export manifest.
std::string RenderCsv(const std::vector<EntryLine>& entries);
std::string RenderHtml(const nlohmann::json& manifest, const std::vector<EntryLine>& entries,
                       const std::vector<EntryLine>& evidence);
// {"by_event_id":{id:[indices]},"by_subject":{subject:[indices]}}, canonical.
Result<std::string> RenderIndex(const std::vector<EntryLine>& entries);

// manifest-sha256.txt / tagmanifest-sha256.txt lines: "<hex>  <path>\n",
// sorted by path. `prefix` selects the files ("data/" or the tag files).
std::string RenderBagManifest(const Files& files, const std::vector<std::string>& paths);

}  // namespace ledger::bundle
