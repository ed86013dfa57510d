// The request body of C2SP tlog-witness `POST <prefix>/add-checkpoint`:
//
//   old <size>\n                  decimal, "0" if the client knows no earlier size
//   <base64 proof hash>\n         0..63 lines: RFC 9162 consistency proof old -> new
//   \n
//   <checkpoint note>             text, blank line, signature lines
//
// Parsing is strict: every line ends in '\n', sizes are canonical decimals,
// each proof line is exactly one canonical base64 SHA-256 hash, and the body is
// at most kMaxAddCheckpointBody bytes. The checkpoint is returned unparsed.
//
// Thread-safety: free functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace anchor::witness {

// Bodies above this are refused before parsing (HTTP 413).
inline constexpr size_t kMaxAddCheckpointBody = size_t{1} << 20;
// tlog-witness: a consistency proof has at most 63 hashes.
inline constexpr size_t kMaxProofHashes = 63;

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<ledger::Hash> proof;
  std::string checkpoint;  // the note, verbatim
};

// InvalidArgument("malformed_request") with the cause in the message;
// InvalidArgument("body_too_large") above kMaxAddCheckpointBody.
ledger::Result<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body);

// The inverse, for clients and tests.
std::string FormatAddCheckpoint(const AddCheckpointRequest& request);

}  // namespace anchor::witness
