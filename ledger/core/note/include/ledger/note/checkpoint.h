// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint v1.0.0) and cosigned
// checkpoint verification with a witness quorum (tlog-cosignature v1).
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/note/note.h"

namespace ledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root;
  std::vector<std::string> extensions;  // opaque, non-empty lines

  // "<origin>\n<size>\n<base64 root>\n[<extension>\n]*"
  std::string ToText() const;
  // Strict: decimal size without leading zeros, 32-byte root, valid origin.
  // InvalidArgument("malformed_checkpoint"), InvalidArgument("invalid_origin").
  static Result<Checkpoint> FromText(std::string_view text);
  bool operator==(const Checkpoint&) const = default;
};

// A canonical unsigned decimal as C2SP formats write sizes and indices: ASCII
// digits, no sign, no leading zeros ("0" itself is fine), at most 2^64-1.
// InvalidArgument("bad_decimal") otherwise.
Result<uint64_t> ParseDecimalU64(std::string_view s);

// A checkpoint origin: non-empty, printable ASCII without spaces or '+'
// (schema-less URL), at most 255 bytes.
Status ValidateOrigin(std::string_view origin);

// Returns the full signed note. The signer's name must equal the origin.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const note::Signer& log_signer);

struct Cosignature {
  std::string witness;   // the cosigner's key name
  uint64_t timestamp = 0;  // seconds since the epoch, from the cosignature
};

struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::string note;                     // the note as given, signatures included
  std::vector<Cosignature> cosignatures;  // from the given witnesses that verified
};

// Parses and verifies a signed checkpoint: the log verifier (name == origin)
// must have signed; signatures of the given witnesses (cosignature/v1) are
// checked and at least `witness_quorum` distinct witnesses must have cosigned.
// A witness is distinct by name and by public key: one key listed under two
// names, or two keys under one name, count once.
// VerificationFailed("witness_quorum_not_met") when too few did.
Result<VerifiedCheckpoint> VerifyCheckpoint(std::string_view note_text,
                                            const note::Verifier& log_verifier,
                                            std::span<const note::Verifier* const> witnesses = {},
                                            size_t witness_quorum = 0);

// What a verifier requires of a checkpoint beyond the log's signature: the
// witness keys and the number K of them that must have cosigned, as the
// manifest (witnesses, witness_quorum) or the deployment's pins state them.
// A checkpoint with the log signature alone may be one the notary signed at a
// restart on a rolled-back head before the witnesses refused it (docs/architecture.md
// §4.4); only K cosignatures show the witnesses saw that head.
struct WitnessPolicy {
  std::vector<std::shared_ptr<const note::Verifier>> keys;
  size_t quorum = 0;

  // From C2SP vkeys (cosignature/v1). InvalidArgument("bad_witness_policy")
  // when a key does not parse or quorum exceeds the number of keys.
  static Result<WitnessPolicy> FromVkeys(std::span<const std::string> vkeys, size_t quorum);
  std::vector<const note::Verifier*> Pointers() const;
};

// VerifyCheckpoint with the policy's keys and quorum: the one check every
// verifier makes of a checkpoint it relies on.
Result<VerifiedCheckpoint> VerifyCheckpoint(std::string_view note_text,
                                            const note::Verifier& log_verifier,
                                            const WitnessPolicy& policy);

}  // namespace ledger
