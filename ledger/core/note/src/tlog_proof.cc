// C2SP tlog-proof v1: offline inclusion receipts. Byte layout:
// schemas/formats/receipt.md.
#include "ledger/note/tlog_proof.h"

#include <utility>

#include "ledger/merkle/merkle.h"

namespace ledger {
namespace {

constexpr std::string_view kExtraPrefix = "extra ";
constexpr std::string_view kIndexPrefix = "index ";

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_tlog_proof", std::move(message));
}

// Splits off the next '\n'-terminated line; false if there is none.
bool NextLine(std::string_view& rest, std::string_view& line) {
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return false;
  line = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return true;
}

}  // namespace

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out(kTlogProofHeader);
  out += '\n';
  if (proof.extra.has_value()) {
    out += kExtraPrefix;
    out += Base64Encode(*proof.extra);
    out += '\n';
  }
  out += kIndexPrefix;
  out += std::to_string(proof.index);
  out += '\n';
  for (const Hash& h : proof.inclusion) {
    out += h.Base64();
    out += '\n';
  }
  out += '\n';
  out += proof.checkpoint;
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  if (text.size() > kMaxTlogProofSize) return Malformed("proof too large");
  std::string_view rest = text;
  std::string_view line;
  // tlog-proof §Format: "The first line MUST be the string
  // c2sp.org/tlog-proof@v1".
  if (!NextLine(rest, line) || line != kTlogProofHeader) return Malformed("missing header line");
  if (!NextLine(rest, line)) return Malformed("missing index line");
  TlogProof proof;
  if (line.starts_with(kExtraPrefix)) {
    auto extra = Base64Decode(line.substr(kExtraPrefix.size()));
    if (!extra.ok()) return Malformed("extra is not canonical base64");
    proof.extra = std::move(extra).value();
    if (!NextLine(rest, line)) return Malformed("missing index line");
  }
  if (!line.starts_with(kIndexPrefix)) return Malformed("expected the index line");
  // tlog-proof §Format: "ASCII decimal with no leading zeroes (unless the
  // index is 0)".
  auto index = ParseDecimalU64(line.substr(kIndexPrefix.size()));
  if (!index.ok()) return Malformed("index: " + index.status().message());
  proof.index = *index;
  // Hash lines up to the empty line; anything else (an unknown keyword, a
  // second extra line) fails to decode as a 32-byte hash.
  for (;;) {
    if (!NextLine(rest, line)) return Malformed("missing blank line before the checkpoint");
    if (line.empty()) break;
    if (proof.inclusion.size() == kMaxTlogProofHashes) {
      return Malformed("more than " + std::to_string(kMaxTlogProofHashes) + " proof hashes");
    }
    auto hash = Hash::FromBase64(line);
    if (!hash.ok()) return Malformed("proof line is not the base64 of a 32-byte hash");
    proof.inclusion.push_back(*hash);
  }
  // The rest is the checkpoint verbatim (tlog-checkpoint, signed-note); a
  // note parse covers trailing garbage, since every byte up to the end must
  // belong to a signature line.
  auto parsed = note::Parse(rest);
  if (!parsed.ok()) return Malformed("checkpoint: " + parsed.status().message());
  auto checkpoint = Checkpoint::FromText(parsed->text);
  if (!checkpoint.ok()) return Malformed("checkpoint: " + checkpoint.status().message());
  proof.checkpoint = std::string(rest);
  return proof;
}

Result<VerifiedCheckpoint> VerifyTlogProof(const TlogProof& proof, const Hash& leaf_hash,
                                           const note::Verifier& log_verifier,
                                           std::span<const note::Verifier* const> witnesses,
                                           size_t witness_quorum) {
  // The checkpoint and its witness policy first (tlog-proof: proofs verify
  // against "a policy of trusted log and witness public keys"), so that the
  // inclusion proof is only checked against a root we trust.
  ASSIGN_OR_RETURN(VerifiedCheckpoint verified,
                   VerifyCheckpoint(proof.checkpoint, log_verifier, witnesses, witness_quorum));
  RETURN_IF_ERROR(merkle::VerifyInclusion(proof.index, verified.checkpoint.size, leaf_hash,
                                          proof.inclusion, verified.checkpoint.root));
  return verified;
}

}  // namespace ledger
