// Stamp: a submitter's signature over one event, or over a whole request of
// events (a batch stamp), carried in the leaf (schemas/formats/stamp.md).
//
// A submitter holds a C2SP signed-note key, Ed25519 (type 0x01), ECDSA P-256
// (0x02) or ECDSA secp256k1 (0xff, ecdsa_note.h), known to the notary by its
// vkey string. It signs the note text
//
//   "audit-ledger/stamp/v1\n" <origin> "\n" <lowercase hex SHA-256(event bytes)> "\n"
//
// Binding the log origin stops a stamp being replayed into another log; the
// request_id inside the event makes a replay into the same log idempotent.
// The stamp is stored in the leaf, so anyone holding the submitters' vkeys can
// re-check who submitted what, long after the fact.
//
// A batch stamp (v2) signs, once, the RFC 9162 Merkle root of a request's
// event bytes:
//
//   "audit-ledger/stamp-batch/v1\n" <origin> "\n" <event count> "\n" <lowercase hex root> "\n"
//
// and each event's stamp carries that signature with the event's index, the
// count and its inclusion path, so every entry stays verifiable on its own
// with only the submitter's key, while the notary verifies one signature per
// request (stamp.md §7).
//
// Thread-safety: free functions; see note.h for Signer and Verifier.
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
#include "ledger/note/note.h"

namespace ledger {

// The signed statement (stamp.md §1).
std::string StampText(std::string_view origin, ByteView event_bytes);

// Signs StampText with `signer` and encodes the stamp (stamp.md §2).
// InvalidArgument("bad_key_name") when the signer's name is not a valid key
// name of at most 255 bytes; InvalidArgument("bad_stamp_payload") when the
// signature payload is empty or longer than 65535 bytes; the signer's error
// when signing fails.
Result<Bytes> MakeStamp(std::string_view origin, ByteView event_bytes, const note::Signer& signer);

// The most events one batch stamp covers (stamp.md §7.2): far above any
// request ledgerd accepts, and it bounds a path to 20 hashes.
inline constexpr uint32_t kMaxBatchStampEvents = 1u << 20;

// The statement of a batch stamp (stamp.md §7.1).
std::string BatchStampText(std::string_view origin, uint64_t event_count, const Hash& root);

// Where an event sits in the request a batch stamp signed.
struct BatchPosition {
  uint32_t index = 0;       // the event's leaf index in the request's tree
  uint32_t count = 0;       // events in the request, 1..kMaxBatchStampEvents
  std::vector<Hash> path;   // RFC 9162 inclusion path of the event's leaf
  bool operator==(const BatchPosition&) const = default;
};

struct Stamp {
  std::string key_name;
  uint32_t key_id = 0;
  Bytes payload;  // what follows the key ID in a signed-note signature
  // Set for a batch stamp (v2): the payload signs BatchStampText of the
  // request's root, which the path leads to from this event.
  std::optional<BatchPosition> batch = std::nullopt;
  bool operator==(const Stamp&) const = default;
};

// Signs BatchStampText over the root of `events` (in request order) once and
// returns each event's stamp v2, in the same order. InvalidArgument
// ("empty_batch") for no events, ("batch_too_large") for more than
// kMaxBatchStampEvents; otherwise as for MakeStamp.
Result<std::vector<Bytes>> MakeBatchStamps(std::string_view origin,
                                           std::span<const Bytes> events,
                                           const note::Signer& signer);

// Strict: InvalidArgument("malformed_stamp") for an unknown version, an empty
// or invalid key name, an empty payload, truncation or trailing bytes, and
// for a batch stamp an index not below the count, a count of 0 or above
// kMaxBatchStampEvents, or a path whose length is not the one RFC 9162 gives
// for that index and count.
Result<Stamp> DecodeStamp(ByteView stamp);

// Stamp bytes (v1, or v2 when `batch` is set) for an already-made signature
// (the inverse of DecodeStamp). InvalidArgument("bad_key_name") /
// ("bad_stamp_payload") as for MakeStamp, ("bad_batch_position") for a
// position DecodeStamp would refuse.
Result<Bytes> EncodeStamp(const Stamp& stamp);

// What a stamp claims: the decoded stamp and the exact text its signature
// must cover (for a batch stamp, over the root its path leads to from the
// event). Splitting this from the signature check lets a verifier check one
// signature for all the events of a request (stamp.md §7.4).
struct StampClaim {
  Stamp stamp;
  std::string text;
};
// VerificationFailed("missing_stamp") for an empty stamp; InvalidArgument
// ("malformed_stamp") as for DecodeStamp.
Result<StampClaim> ClaimOf(std::string_view origin, ByteView event_bytes, ByteView stamp);
// The signature check of VerifyStamp, steps 3 and 4.
Result<const note::Verifier*> VerifyClaim(const StampClaim& claim,
                                          std::span<const note::Verifier* const> submitters);

// Which known submitter signed `stamp` over `event_bytes` for this log.
// Only verifiers of the types above are considered, and a P-256 signature
// must have a low s (CheckP256LowS) so that a stamp has one encoding. Errors:
//   VerificationFailed("missing_stamp")      the stamp is empty (unstamped leaf);
//   InvalidArgument("malformed_stamp")       as for DecodeStamp;
//   VerificationFailed("unknown_submitter")  no known key has its name and key ID;
//   VerificationFailed("bad_stamp")          the key is known but the signature fails
//                                            (for a batch stamp: or the path does not
//                                            lead to the root it signed).
Result<const note::Verifier*> VerifyStamp(std::string_view origin, ByteView event_bytes,
                                          ByteView stamp,
                                          std::span<const note::Verifier* const> submitters);

}  // namespace ledger
