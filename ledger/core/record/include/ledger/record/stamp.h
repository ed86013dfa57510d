// Stamp: a submitter's signature over one event, carried in the leaf
// (schemas/formats/stamp.md).
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
// Thread-safety: free functions; see note.h for Signer and Verifier.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ledger/base/bytes.h"
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

struct Stamp {
  std::string key_name;
  uint32_t key_id = 0;
  Bytes payload;  // what follows the key ID in a signed-note signature
  bool operator==(const Stamp&) const = default;
};

// Strict: InvalidArgument("malformed_stamp") for an unknown version, an empty
// or invalid key name, an empty payload, truncation or trailing bytes.
Result<Stamp> DecodeStamp(ByteView stamp);

// Stamp bytes v1 for an already-made signature (the inverse of DecodeStamp).
// InvalidArgument("bad_key_name") / ("bad_stamp_payload") as for MakeStamp.
Result<Bytes> EncodeStamp(const Stamp& stamp);

// Which known submitter signed `stamp` over `event_bytes` for this log.
// Only verifiers of the types above are considered, and a P-256 signature
// must have a low s (CheckP256LowS) so that a stamp has one encoding. Errors:
//   VerificationFailed("missing_stamp")      the stamp is empty (unstamped leaf);
//   InvalidArgument("malformed_stamp")       as for DecodeStamp;
//   VerificationFailed("unknown_submitter")  no known key has its name and key ID;
//   VerificationFailed("bad_stamp")          the key is known but the signature fails.
Result<const note::Verifier*> VerifyStamp(std::string_view origin, ByteView event_bytes,
                                          ByteView stamp,
                                          std::span<const note::Verifier* const> submitters);

}  // namespace ledger
