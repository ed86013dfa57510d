// The bodies of POST /v1/entries and the receipts ledgerd returns.
//
// JSON (application/json): one entry object, or {"entries": [entry, ...]}.
// An entry is
//   {"event": {...event JSON...} | "event_bytes": "<base64 canonical event>",
//    "stamp": "<base64 stamp>", "payload": "...", "payload_content_type": "..."}
// The stamp (schemas/formats/stamp.md) signs the canonical event bytes: a
// submitter of a structured event computes EncodeEvent(event) itself (the
// encoding is deterministic) and stamps those bytes; a submitter may instead
// send event_bytes to sign exactly what is sequenced. A payload's SHA-256 must
// be the event's payload_digest (a structured event without one gets it
// before encoding, so the submitter stamps the event with the digest set).
// Unknown fields are refused. Protobuf (application/x-protobuf) bodies are
// ledger.v1.AppendRequest with the same content.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/base/status.h"
#include "ledger/codec/error_json.h"
#include "ledger/ledgerd/batcher.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

inline constexpr size_t kMaxEntriesPerRequest = 10000;
inline constexpr size_t kMaxPayloadSize = 1 << 20;

// InvalidArgument with a stable reason on any defect; nothing is enqueued.
Result<std::vector<Entry>> ParseJsonEntries(std::string_view body, size_t max_size);
Result<std::vector<Entry>> ParseProtoEntries(std::string_view body);

// The receipt of entry `index` against the latest checkpoint the store
// verified (index, leaf, leaf hash, inclusion proof, checkpoint note and
// the C2SP tlog-proof text with the leaf bytes as its extra line) and,
// when the store has it, "notary": the evidence naming the measured code
// that sequenced the entry (receipt.md §4: the batch's app proof, the boot
// entry whose key signed it, that boot's attestation document). With an
// acknowledgement of a new entry, also "app_proof", the batch's app proof
// as first returned (kept for clients of the earlier form).
// `tree_size` (0: the latest) picks the checkpoint the proof is against:
// with witnesses, the latest cosigned one, whose stored note carries the
// witnesses' cosignature lines.
// `cache` (optional) keeps, for the receipts of one request, the verified
// checkpoint notes by size and the notary evidence by (batch, size): a
// batch's entries share one or two checkpoints and one piece of evidence,
// and building each once per request instead of once per entry is most of
// a receipt's cost.
struct ReceiptCache {
  std::map<uint64_t, std::string> checkpoints;
  std::map<std::pair<uint64_t, uint64_t>, nlohmann::json> notary;
};
Result<nlohmann::json> ReceiptJson(const store::LogStore& store, uint64_t index,
                                   const Acknowledged* ack, uint64_t tree_size = 0,
                                   ReceiptCache* cache = nullptr);

using codec::ErrorJson;
using codec::HttpStatusFor;

}  // namespace ledger::ledgerd
