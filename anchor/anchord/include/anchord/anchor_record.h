// The ANCHOR_CONFIRMED entry (schemas/formats/anchor-confirmed.md): the
// evidence that a signed head of this log is anchored in the AnchorRegistry,
// as anchord appends it and as `ledgerctl verify-anchor` reads it back.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "evm/registry.h"
#include "evm/types.h"
#include "ledger/record/event.h"

namespace anchor::anchord {

using ledger::Hash;
using ledger::Result;
using ledger::Status;

struct AnchorRecord {
  uint64_t chain_id = 0;
  evm::Address contract;
  Hash tx_hash;
  uint64_t block_number = 0;
  Hash block_hash;
  uint64_t block_timestamp = 0;  // seconds, the block's
  evm::registry::Statement statement;  // log id, size, root, map root
  std::string checkpoint;  // the signed checkpoint note at statement.tree_size
  std::array<uint8_t, 65> signature{};  // the notary's statement signature (r || s || v)
  // Optional RFC 3161 token (DER) over SHA-256(checkpoint), from --tsa.
  ledger::Bytes timestamp_token;
  bool operator==(const AnchorRecord&) const = default;
};

// The request id of the entry for `tree_size` anchored in `contract` on
// `chain_id`: "anchor/<chain id>/<0x contract>/<size>". A retry (after a
// crash, a timeout, a ledgerd restart) carries the same id, so ledgerd
// answers it as a duplicate and the log never holds two entries for one
// anchor.
std::string AnchorRequestId(uint64_t chain_id, const evm::Address& contract, uint64_t tree_size);

// The event anchord appends. Every field is a function of the record, so
// retries produce the same bytes (occurred_at is the block's timestamp).
Result<ledger::Event> AnchorEvent(const AnchorRecord& r);

// The digest a TSA timestamps for a record: SHA-256 of the signed checkpoint.
Hash TimestampDigest(const AnchorRecord& r);

// Strict inverse: an ANCHOR_CONFIRMED event with exactly the attributes
// AnchorEvent writes, each well formed, and the request id, subject and time
// that follow from them. InvalidArgument("bad_anchor_record") otherwise.
Result<AnchorRecord> ParseAnchorEvent(const ledger::Event& e);

}  // namespace anchor::anchord
