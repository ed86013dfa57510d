// C2SP tlog-checkpoint v1.0.0 and cosigned-checkpoint verification
// (tlog-cosignature v1.0.1). Byte layouts: schemas/formats/checkpoint.md.
#include "ledger/note/checkpoint.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "ledger/note/cosignature.h"

namespace ledger {
namespace {

// An origin fits the 1-byte length prefix of tlog-cosignature's
// cosigned_message (ML-DSA) and of witness protocols.
constexpr size_t kMaxOriginSize = 255;
// 18446744073709551615 has 20 digits.
constexpr size_t kMaxDecimalDigits = 20;

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_checkpoint", std::move(message));
}

bool Contains(std::span<const note::Verifier* const> list, const note::Verifier* v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The public key of a verifier key "<name>+<hex id>+<base64(type || key)>":
// what identifies a witness whatever name it is listed under.
std::string PublicKeyOf(const note::Verifier& v) {
  std::string vkey = v.VerifierKey();
  size_t first = vkey.find('+');
  size_t second = first == std::string::npos ? first : vkey.find('+', first + 1);
  return second == std::string::npos ? vkey : vkey.substr(second + 1);
}

}  // namespace

Result<uint64_t> ParseDecimalU64(std::string_view s) {
  auto bad = [](std::string message) {
    return Status::InvalidArgument("bad_decimal", std::move(message));
  };
  if (s.empty() || s.size() > kMaxDecimalDigits) return bad("bad decimal length");
  if (s.size() > 1 && s[0] == '0') return bad("leading zero");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return bad("not a decimal digit");
    auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return bad("overflows uint64");
    v = v * 10 + digit;
  }
  return v;
}

Status ValidateOrigin(std::string_view origin) {
  if (origin.empty() || origin.size() > kMaxOriginSize) {
    return Status::InvalidArgument("invalid_origin", "origin must be 1 to 255 bytes");
  }
  // tlog-checkpoint §Note text: the origin SHOULD be a schema-less URL
  // without spaces or '+'; we require it (printable ASCII, 0x21..0x7e).
  for (char c : origin) {
    if (c < 0x21 || c > 0x7e || c == '+') {
      return Status::InvalidArgument("invalid_origin",
                                     "origin must be printable ASCII without spaces or '+'");
    }
  }
  return Status::Ok();
}

std::string Checkpoint::ToText() const {
  std::string out = origin;
  out += '\n';
  out += std::to_string(size);
  out += '\n';
  out += root.Base64();
  out += '\n';
  for (const std::string& ext : extensions) {
    out += ext;
    out += '\n';
  }
  return out;
}

Result<Checkpoint> Checkpoint::FromText(std::string_view text) {
  // The text is a note text (signed-note §Format): ends in '\n', UTF-8, no
  // control characters. Reported as a checkpoint defect.
  Status valid = note::ValidateText(text);
  if (!valid.ok()) return Malformed(valid.message());
  std::vector<std::string_view> lines;
  for (size_t nl; !text.empty(); text.remove_prefix(nl + 1)) {
    nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
  }
  // tlog-checkpoint §Note text: origin, size, root, then optional non-empty
  // extension lines.
  if (lines.size() < 3) return Malformed("fewer than three lines");
  Checkpoint cp;
  RETURN_IF_ERROR(ValidateOrigin(lines[0]));
  cp.origin = std::string(lines[0]);
  // tlog-checkpoint §Note text: the size is "ASCII decimal, no leading
  // zeroes" ("0" for the empty tree).
  auto size = ParseDecimalU64(lines[1]);
  if (!size.ok()) return Malformed("tree size: " + size.status().message());
  cp.size = *size;
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != Hash::kSize) {
    return Malformed("root must be the canonical base64 of 32 bytes");
  }
  std::copy(root->begin(), root->end(), cp.root.bytes.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Malformed("empty extension line");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const note::Signer& log_signer) {
  RETURN_IF_ERROR(ValidateOrigin(checkpoint.origin));
  if (log_signer.name() != checkpoint.origin) {
    return Status::InvalidArgument("origin_mismatch", "the log key name must equal the origin");
  }
  // Sign only text that parses back to the same checkpoint, so an extension
  // holding a '\n' or a control character can never be signed.
  std::string text = checkpoint.ToText();
  auto reparsed = Checkpoint::FromText(text);
  if (!reparsed.ok()) return reparsed.status();
  if (!(*reparsed == checkpoint)) return Malformed("checkpoint does not round-trip");
  ASSIGN_OR_RETURN(note::Signature sig, note::SignText(text, log_signer));
  return note::Format(note::Note{std::move(text), {std::move(sig)}});
}

Result<VerifiedCheckpoint> VerifyCheckpoint(std::string_view note_text,
                                            const note::Verifier& log_verifier,
                                            std::span<const note::Verifier* const> witnesses,
                                            size_t witness_quorum) {
  ASSIGN_OR_RETURN(note::Note parsed, note::Parse(note_text));
  ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::FromText(parsed.text));
  // tlog-checkpoint §Signatures: the log's key name equals the origin, so a
  // key of one log never vouches for another log's checkpoint.
  if (log_verifier.name() != checkpoint.origin) {
    return Status::VerificationFailed(
        "origin_mismatch", "checkpoint origin " + checkpoint.origin + " is not the log key's name");
  }
  std::vector<const note::Verifier*> known = {&log_verifier};
  for (const note::Verifier* w : witnesses) {
    if (w != nullptr && w != &log_verifier && !Contains(known, w)) known.push_back(w);
  }
  // Every known (name, key ID) that signed must verify, witnesses included:
  // a failing cosignature rejects the note (signed-note §Signatures).
  ASSIGN_OR_RETURN(std::vector<const note::Verifier*> verified, note::Open(parsed, known));
  if (!Contains(verified, &log_verifier)) {
    return Status::VerificationFailed("unverified_note", "no signature from the log key");
  }

  VerifiedCheckpoint out{std::move(checkpoint), std::string(note_text), {}};
  // Witnesses count once each, by name and by public key: two keys of one
  // witness, a witness listed twice, a repeated signature line, or one key
  // listed under two names (a cosignature/v1 does not sign the name, so its
  // line could be copied under the other) are still one witness. The log is
  // never its own witness, whatever key is listed under its name.
  std::vector<std::string> counted_keys;
  for (const note::Signature& sig : parsed.signatures) {
    if (sig.name == log_verifier.name()) continue;
    for (const note::Verifier* w : known) {
      if (w->name() != sig.name || w->key_id() != sig.key_id) continue;
      std::string public_key = PublicKeyOf(*w);
      bool seen = std::any_of(out.cosignatures.begin(), out.cosignatures.end(),
                              [&](const Cosignature& c) { return c.witness == w->name(); }) ||
                  std::find(counted_keys.begin(), counted_keys.end(), public_key) !=
                      counted_keys.end();
      if (seen) continue;
      counted_keys.push_back(std::move(public_key));
      uint64_t timestamp = 0;  // algorithms without a timestamp report 0
      if (w->alg() == note::kAlgCosignatureV1) {
        // Open verified this payload, so it is well-formed.
        ASSIGN_OR_RETURN(timestamp, note::CosignatureV1Timestamp(sig.payload));
      }
      out.cosignatures.push_back(Cosignature{w->name(), timestamp});
    }
  }
  if (out.cosignatures.size() < witness_quorum) {
    return Status::VerificationFailed("witness_quorum_not_met",
                                      std::to_string(out.cosignatures.size()) + " of " +
                                          std::to_string(witness_quorum) +
                                          " required witnesses cosigned");
  }
  return out;
}

Result<WitnessPolicy> WitnessPolicy::FromVkeys(std::span<const std::string> vkeys,
                                               size_t quorum) {
  WitnessPolicy policy;
  for (const std::string& vkey : vkeys) {
    auto key = note::ParseVerifierKey(vkey);
    if (!key.ok()) {
      return Status::InvalidArgument("bad_witness_policy",
                                     "witness key " + vkey + ": " + key.status().message());
    }
    policy.keys.push_back(std::move(key).value());
  }
  if (quorum > policy.keys.size()) {
    return Status::InvalidArgument("bad_witness_policy",
                                   "the witness quorum " + std::to_string(quorum) + " exceeds the " +
                                       std::to_string(policy.keys.size()) + " witness keys");
  }
  policy.quorum = quorum;
  return policy;
}

std::vector<const note::Verifier*> WitnessPolicy::Pointers() const {
  std::vector<const note::Verifier*> out;
  for (const auto& k : keys) out.push_back(k.get());
  return out;
}

Result<VerifiedCheckpoint> VerifyCheckpoint(std::string_view note_text,
                                            const note::Verifier& log_verifier,
                                            const WitnessPolicy& policy) {
  std::vector<const note::Verifier*> witnesses = policy.Pointers();
  return VerifyCheckpoint(note_text, log_verifier, witnesses, policy.quorum);
}

}  // namespace ledger
