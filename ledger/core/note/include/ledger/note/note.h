// C2SP signed-note (c2sp.org/signed-note v1.0.0): parse, format, sign, verify;
// key IDs and verifier-key ("vkey") strings.
//
// A note is UTF-8 text ending in '\n', a blank line, then signature lines
// "— <key name> <base64(4-byte key ID || payload)>\n". Parsing is strict
// (see schemas/formats/checkpoint.md); verification follows the spec: unknown
// (name, key ID) pairs are ignored, a known key whose signature fails rejects
// the note, and at least one known key must have signed.
//
// Thread-safety: Signer and Verifier const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"

namespace ledger::note {

inline constexpr uint8_t kAlgEd25519 = 0x01;          // signed-note
inline constexpr uint8_t kAlgCosignatureV1 = 0x04;    // tlog-cosignature, timestamped Ed25519
inline constexpr size_t kMaxSignatures = 100;          // like golang.org/x/mod/sumdb/note
inline constexpr size_t kMaxNoteSize = 1 << 20;

// SHA-256(name || 0x0A || alg || public_key)[:4], big-endian.
uint32_t KeyId(std::string_view name, uint8_t alg, ByteView public_key);

// A key name: non-empty, valid UTF-8, no Unicode spaces, no '+'.
bool IsValidKeyName(std::string_view name);

struct Signature {
  std::string name;
  uint32_t key_id = 0;
  Bytes payload;  // the bytes after the key ID (algorithm-specific)
  bool operator==(const Signature&) const = default;
};

struct Note {
  std::string text;  // up to and including the final '\n' before the blank line
  std::vector<Signature> signatures;
  bool operator==(const Note&) const = default;
};

// OK when text can be the text of a note: ends in '\n', valid UTF-8, no ASCII
// control characters other than '\n', at most kMaxNoteSize bytes.
// InvalidArgument("malformed_note") otherwise.
Status ValidateText(std::string_view text);

// InvalidArgument("malformed_note") with the precise cause in the message.
Result<Note> Parse(std::string_view note);
std::string Format(const Note& note);
// "— <name> <base64(key id || payload)>\n"
std::string FormatSignatureLine(const Signature& sig);

class Verifier {
 public:
  virtual ~Verifier() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  virtual uint8_t alg() const = 0;
  // OK or VerificationFailed("bad_signature").
  virtual Status Verify(std::string_view text, ByteView payload) const = 0;
  // "<name>+<8 hex key ID>+<base64(alg || public key)>"
  virtual std::string VerifierKey() const = 0;
};

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // The signature payload (what follows the key ID) over text.
  virtual Result<Bytes> Sign(std::string_view text) const = 0;
  virtual std::string VerifierKey() const = 0;
};

// Ed25519 (type 0x01). The signer takes ownership of the key.
std::unique_ptr<Signer> NewEd25519Signer(std::string name, Ed25519PrivateKey key);
std::unique_ptr<Verifier> NewEd25519Verifier(std::string name, const Ed25519PublicKey& key);

// Parses a vkey of type 0x01 (Ed25519), 0x04 (cosignature/v1), 0x02 (ECDSA
// P-256) or 0xff || "audit-ledger/secp256k1" (see ecdsa_note.h).
// InvalidArgument("bad_verifier_key") on any defect, including a key ID that
// does not match the key.
Result<std::unique_ptr<Verifier>> ParseVerifierKey(std::string_view vkey);
// With the key ID KeyId(name, alg, public_key).
std::string FormatVerifierKey(std::string_view name, uint8_t alg, ByteView public_key);
// With an explicit key ID, for types whose key ID is computed otherwise (0x02).
std::string FormatVerifierKey(std::string_view name, uint32_t key_id, uint8_t alg,
                              ByteView public_key);

// Signs text and returns the signature (name, key id, payload) to attach.
Result<Signature> SignText(std::string_view text, const Signer& signer);

// Verifies a parsed note against known keys under the spec's rules. Returns
// the known verifiers whose signatures verified (at least one), in
// signature order. VerificationFailed("unverified_note") when none of the
// known keys signed; VerificationFailed("bad_signature") when one of them
// signed and the signature fails.
Result<std::vector<const Verifier*>> Open(const Note& note,
                                          std::span<const Verifier* const> known);

}  // namespace ledger::note
