// C2SP tlog-proof v1 (c2sp.org/tlog-proof): an offline receipt that an entry
// is in a log, made of a signed (and possibly cosigned) checkpoint, the
// entry's index and an RFC 9162 inclusion proof.
//
//   c2sp.org/tlog-proof@v1\n
//   [extra <base64>\n]            optional, opaque, NOT authenticated
//   index <decimal>\n             no leading zeros
//   [<base64 32-byte hash>\n]*    at most 63, leaf sibling first
//   \n
//   <checkpoint note, verbatim, cosignatures included>
//
// Byte layout and a worked example: schemas/formats/receipt.md.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"

namespace ledger {

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
// An inclusion proof in a tree of at most 2^64-1 leaves has at most 64
// hashes; 63 is the bound C2SP uses for proof lines (tlog-witness).
inline constexpr size_t kMaxTlogProofHashes = 63;
// The checkpoint is bounded by note::kMaxNoteSize; extra data by the rest.
inline constexpr size_t kMaxTlogProofSize = 2 * note::kMaxNoteSize;

struct TlogProof {
  std::optional<Bytes> extra;  // application-specific, unauthenticated
  uint64_t index = 0;
  std::vector<Hash> inclusion;
  std::string checkpoint;  // the signed note verbatim, cosignatures included
  bool operator==(const TlogProof&) const = default;
};

// The canonical text. An extra that is present but empty is "extra \n".
std::string FormatTlogProof(const TlogProof& proof);

// Strict: the header, an optional extra line, the index line, hash lines and
// a blank line in that order, then a checkpoint that parses as a signed note
// (note::Parse) whose text is a checkpoint (Checkpoint::FromText). Unknown or
// out-of-order lines, leading zeros, non-canonical base64, hashes that are not
// 32 bytes, more than kMaxTlogProofHashes hashes and trailing bytes after the
// note are rejected: InvalidArgument("malformed_tlog_proof").
Result<TlogProof> ParseTlogProof(std::string_view text);

// Verifies the checkpoint (VerifyCheckpoint: log signature, witness quorum),
// then that leaf_hash is at proof.index in the checkpointed tree
// (merkle::VerifyInclusion, RFC 9162 §2.1.3.2). The leaf hash is computed by
// the caller from the entry (application-specific, tlog-proof §Format). Errors
// are those of VerifyCheckpoint and merkle::VerifyInclusion.
Result<VerifiedCheckpoint> VerifyTlogProof(const TlogProof& proof, const Hash& leaf_hash,
                                           const note::Verifier& log_verifier,
                                           std::span<const note::Verifier* const> witnesses = {},
                                           size_t witness_quorum = 0);

}  // namespace ledger
