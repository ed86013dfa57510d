// C2SP signed-note v1.0.0: strict parsing, formatting, Ed25519 (type 0x01)
// signing and verification, verifier keys, and the verification rules of
// signed-note §Signatures. Byte layouts: schemas/formats/checkpoint.md.
#include "ledger/note/note.h"

#include <algorithm>
#include <utility>

#include "ledger/base/hash.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/ecdsa_note.h"

namespace ledger::note {
namespace {

// signed-note §Format: "em dash (U+2014), space (U+0020)".
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";
// A signature is base64(4-byte key ID || n bytes); like x/mod we require
// n >= 1 so that an empty signature is a parse error, not a failed check.
constexpr size_t kMinDecodedSignature = 5;

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_note", std::move(message));
}

// Decodes one code point of strict UTF-8 (RFC 3629 §3: no overlong forms,
// no surrogates, nothing above U+10FFFF). Returns false on any defect.
bool NextCodePoint(std::string_view s, size_t& i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  size_t len;
  uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < len) return false;
  for (size_t k = 1; k < len; ++k) {
    uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += len;
  return true;
}

// What Go's unicode.IsSpace reports, i.e. the "Unicode spaces" that
// signed-note §Format forbids in key names (White_Space property).
bool IsUnicodeSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// signed-note §Format: valid UTF-8, no ASCII control characters but '\n'.
Status ValidateCharacters(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t at = i;
    if (!NextCodePoint(s, i, cp)) {
      return Malformed("invalid UTF-8 at byte " + std::to_string(at));
    }
    if (cp < 0x20 && cp != '\n') {
      return Malformed("control character at byte " + std::to_string(at));
    }
  }
  return Status::Ok();
}

Result<Signature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSigPrefix)) {
    return Malformed("signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kSigPrefix.size());
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return Malformed("signature line has no signature");
  std::string_view name = line.substr(0, space);
  if (!IsValidKeyName(name)) return Malformed("invalid key name in signature line");
  auto decoded = Base64Decode(line.substr(space + 1));
  if (!decoded.ok()) return Malformed("signature is not canonical base64");
  if (decoded->size() < kMinDecodedSignature) return Malformed("signature too short");
  Signature sig;
  sig.name = std::string(name);
  sig.key_id = LoadU32BE(decoded->data());
  sig.payload.assign(decoded->begin() + 4, decoded->end());
  return sig;
}

class Ed25519Verifier final : public Verifier {
 public:
  Ed25519Verifier(std::string name, const Ed25519PublicKey& key)
      : name_(std::move(name)), key_(key), key_id_(KeyId(name_, kAlgEd25519, key_.view())) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  uint8_t alg() const override { return kAlgEd25519; }
  // signed-note §Ed25519 signatures: RFC 8032 over the note text.
  Status Verify(std::string_view text, ByteView payload) const override {
    return key_.Verify(AsBytes(text), payload);
  }
  std::string VerifierKey() const override {
    return FormatVerifierKey(name_, kAlgEd25519, key_.view());
  }

 private:
  std::string name_;
  Ed25519PublicKey key_;
  uint32_t key_id_;
};

class Ed25519Signer final : public Signer {
 public:
  Ed25519Signer(std::string name, Ed25519PrivateKey key)
      : name_(std::move(name)),
        key_(std::move(key)),
        key_id_(KeyId(name_, kAlgEd25519, key_.public_key().view())) {}
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  Result<Bytes> Sign(std::string_view text) const override { return key_.Sign(AsBytes(text)); }
  std::string VerifierKey() const override {
    return FormatVerifierKey(name_, kAlgEd25519, key_.public_key().view());
  }

 private:
  std::string name_;
  Ed25519PrivateKey key_;
  uint32_t key_id_;
};

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status BadVerifierKey(std::string message) {
  return Status::InvalidArgument("bad_verifier_key", std::move(message));
}

}  // namespace

uint32_t KeyId(std::string_view name, uint8_t alg, ByteView public_key) {
  // signed-note §Signatures: SHA-256(key name || 0x0A || type || public key)[:4].
  Sha256 h;
  h.Update(name).Update(uint8_t{'\n'}).Update(alg).Update(public_key);
  return LoadU32BE(h.Final().bytes.data());
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    if (!NextCodePoint(name, i, cp)) return false;
    // Control characters can never appear in a note (signed-note §Format),
    // so a name holding one could never sign anything: reject it here too.
    if (cp == '+' || cp < 0x20 || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

Status ValidateText(std::string_view text) {
  if (text.size() > kMaxNoteSize) return Malformed("note text too large");
  if (text.empty() || text.back() != '\n') return Malformed("note text does not end in a newline");
  return ValidateCharacters(text);
}

Result<Note> Parse(std::string_view note) {
  if (note.size() > kMaxNoteSize) {
    return Malformed("note larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  RETURN_IF_ERROR(ValidateCharacters(note));
  // signed-note §Format: "the text is separated from the signatures by the
  // last empty line in the note"; the text keeps its final newline.
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  Note out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return Malformed("no signature lines");
  if (sigs.back() != '\n') return Malformed("note does not end in a newline");
  while (!sigs.empty()) {
    size_t nl = sigs.find('\n');  // always found: sigs ends in '\n'
    if (out.signatures.size() == kMaxSignatures) {
      return Malformed("more than " + std::to_string(kMaxSignatures) + " signatures");
    }
    ASSIGN_OR_RETURN(Signature sig, ParseSignatureLine(sigs.substr(0, nl)));
    out.signatures.push_back(std::move(sig));
    sigs.remove_prefix(nl + 1);
  }
  return out;
}

std::string FormatSignatureLine(const Signature& sig) {
  Bytes raw;
  raw.reserve(4 + sig.payload.size());
  AppendU32BE(raw, sig.key_id);
  Append(raw, sig.payload);
  std::string line(kSigPrefix);
  line += sig.name;
  line += ' ';
  line += Base64Encode(raw);
  line += '\n';
  return line;
}

std::string Format(const Note& note) {
  std::string out = note.text;
  out += '\n';
  for (const Signature& sig : note.signatures) out += FormatSignatureLine(sig);
  return out;
}

std::unique_ptr<Signer> NewEd25519Signer(std::string name, Ed25519PrivateKey key) {
  return std::make_unique<Ed25519Signer>(std::move(name), std::move(key));
}

std::unique_ptr<Verifier> NewEd25519Verifier(std::string name, const Ed25519PublicKey& key) {
  return std::make_unique<Ed25519Verifier>(std::move(name), key);
}

std::string FormatVerifierKey(std::string_view name, uint8_t alg, ByteView public_key) {
  return FormatVerifierKey(name, KeyId(name, alg, public_key), alg, public_key);
}

std::string FormatVerifierKey(std::string_view name, uint32_t key_id, uint8_t alg,
                              ByteView public_key) {
  Bytes material;
  AppendU8(material, alg);
  Append(material, public_key);
  Bytes id;
  AppendU32BE(id, key_id);
  std::string out(name);
  out += '+';
  out += HexEncode(id);
  out += '+';
  out += Base64Encode(material);
  return out;
}

Result<std::unique_ptr<Verifier>> ParseVerifierKey(std::string_view vkey) {
  // signed-note §Verifier keys: <name>+<hex key ID>+<base64(type || key)>.
  // Split on the first two '+' only: base64 may contain '+' itself.
  size_t p1 = vkey.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : vkey.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return BadVerifierKey("expected <name>+<id>+<key>");
  std::string_view name = vkey.substr(0, p1);
  std::string_view hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  if (!IsValidKeyName(name)) return BadVerifierKey("invalid key name");
  if (hex.size() != 8 || !IsLowerHex(hex)) {
    return BadVerifierKey("key ID must be 8 lowercase hex digits");
  }
  auto material = Base64Decode(vkey.substr(p2 + 1));
  if (!material.ok() || material->empty()) return BadVerifierKey("key is not canonical base64");
  uint8_t alg = (*material)[0];
  ByteView raw = ByteView(*material).subspan(1);
  uint32_t want = LoadU32BE(HexDecode(hex)->data());
  if (alg == kAlgECDSA || alg == kAlgPrivate) {
    ASSIGN_OR_RETURN(auto v, NewEcdsaVerifierFromKey(std::string(name), alg, raw));
    if (v->key_id() != want) return BadVerifierKey("key ID does not match the key");
    return v;
  }
  if (alg != kAlgEd25519 && alg != kAlgCosignatureV1) {
    return BadVerifierKey("unsupported signature type " + std::to_string(alg));
  }
  auto key = Ed25519PublicKey::FromBytes(raw);
  if (!key.ok()) return BadVerifierKey("Ed25519 public key must be 32 bytes");
  if (KeyId(name, alg, raw) != want) return BadVerifierKey("key ID does not match the key");
  if (alg == kAlgEd25519) return NewEd25519Verifier(std::string(name), *key);
  return std::unique_ptr<Verifier>(NewCosignatureV1Verifier(std::string(name), *key));
}

Result<Signature> SignText(std::string_view text, const Signer& signer) {
  if (!IsValidKeyName(signer.name())) {
    return Status::InvalidArgument("invalid_key_name", "signer has an invalid key name");
  }
  RETURN_IF_ERROR(ValidateText(text));
  ASSIGN_OR_RETURN(Bytes payload, signer.Sign(text));
  if (payload.empty()) return Status::Internal("empty_signature", "signer returned nothing");
  return Signature{signer.name(), signer.key_id(), std::move(payload)};
}

Result<std::vector<const Verifier*>> Open(const Note& note,
                                          std::span<const Verifier* const> known) {
  RETURN_IF_ERROR(ValidateText(note.text));
  std::vector<const Verifier*> verified;
  for (const Signature& sig : note.signatures) {
    for (const Verifier* v : known) {
      // signed-note §Signatures: a signature belongs to a known key only when
      // BOTH name and key ID match; anything else is ignored.
      if (v == nullptr || v->name() != sig.name || v->key_id() != sig.key_id) continue;
      // A known key whose signature fails rejects the whole note (SHOULD in
      // the spec; we always do): a broken signature is evidence of tampering.
      Status s = v->Verify(note.text, sig.payload);
      if (!s.ok()) {
        return Status::VerificationFailed(
            "bad_signature", "signature by " + sig.name + " does not verify: " + s.message());
      }
      if (std::find(verified.begin(), verified.end(), v) == verified.end()) verified.push_back(v);
    }
  }
  if (verified.empty()) {
    return Status::VerificationFailed("unverified_note", "no signature from a known key");
  }
  return verified;
}

}  // namespace ledger::note
