// The exporter: builds a compliance export bundle (ledger/bundle/bundle.h,
// schemas/formats/export-bundle.md) from a verified LogStore and records the
// export in the log itself as an EXPORT_CREATED entry.
//
// Used by `ledgerctl export` and by ledgerd's `/v1/export` (http_export.h),
// where the caller supplies how an entry is appended (a notary-backed
// host, or the development sequencer), the library does everything else.
//
// Thread-safety: CreateExport only reads the store (its reads are
// thread-safe); `append` is called once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bundle/bundle.h"
#include "ledger/record/event.h"
#include "ledger/sequencer/types.h"
#include "ledger/store/log_store.h"

namespace ledger::exporter {

struct ExportRequest {
  // recorded_at range [from_us, to_us) by the notary clock. Default: all.
  std::optional<uint64_t> from_us, to_us;
  // Filters (export-bundle.md §5.1), the explorer's search filters: only
  // entries of one of these subjects, of this actor id, kind, outcome and
  // request id. Default (none set): every entry in the range, which the
  // bundle then proves gapless. With any filter the bundle carries every
  // leaf hash of the range (data/proofs/range.jsonl) so that it still
  // proves which leaves the range holds, and full entries for the matches.
  // Either way the leaves just outside the range prove that it is the whole
  // time range (data/proofs/boundaries.jsonl).
  std::vector<std::string> subjects;
  std::optional<std::string> actor;
  std::optional<EventKind> kind;
  std::optional<Outcome> outcome;
  std::optional<std::string> request_id;
  std::string requester;        // required: who asked (the EXPORT_CREATED actor)
  std::string requester_auth;   // how the requester was authenticated ("local-cli", "oidc")
  std::string log_vkey;         // the log's verifier key, recorded in the manifest
  uint64_t created_at_us = 0;   // exporter clock (informative; the log's recorded_at is binding)
  std::string software_version; // e.g. "ledgerctl 0.1.0"
  // When set, called with the SHA-256 of export-manifest.json before the
  // export is recorded; the RFC 3161 token it returns (DER) is the bundle's
  // export-manifest.tsr (export-bundle.md §6.1). An error fails the export
  // before anything is appended. Default: no time-stamp.
  std::function<Result<Bytes>(const Hash& manifest_digest)> timestamp;
};

// True when any filter besides the time range is set.
bool IsFiltered(const ExportRequest& request);
// Whether `event` passes the request's filters (not the time range).
bool MatchesFilter(const ExportRequest& request, const Event& event);

// Appends the EXPORT_CREATED event with its payload (the export manifest) as
// one batch, and returns what was sequenced.
using AppendFn = std::function<Result<SequencedBatch>(const Event&, const store::Payload&)>;

// Everything under data/, the tag files, the export manifest and the receipt
// of its EXPORT_CREATED entry. A scope that nothing matches gives a bundle
// with no entries, which its boundary leaves prove empty (export-bundle.md
// §3.2). InvalidArgument("empty_export") only for a log with no entries; the
// store's own errors (Corruption) as they come.
Result<bundle::Files> CreateExport(const store::LogStore& store, const ExportRequest& request,
                                   const AppendFn& append);

}  // namespace ledger::exporter
