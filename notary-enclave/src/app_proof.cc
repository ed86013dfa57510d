// The batch app proof payload, formatted by hand (app-proof.md §2).
#include "notary/app_proof.h"

#include "ledger/crypto/p256.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"

namespace notary {

using ledger::Result;
using ledger::Status;

Result<std::string> AppProofPayload(const AppProofFields& f) {
  // A valid origin is printable ASCII without spaces or '+', but may hold '"'
  // or '\\', which JSON escapes (RFC 8259 §7); nothing else needs escaping.
  RETURN_IF_ERROR(ledger::ValidateOrigin(f.origin));
  std::string origin;
  for (char c : f.origin) {
    if (c == '"' || c == '\\') origin.push_back('\\');
    origin.push_back(c);
  }
  std::string out;
  out.reserve(256);
  out += "{\"scheme\":\"";
  out += kAppProofScheme;
  out += "\",\"origin\":\"" + origin;
  out += "\",\"size\":" + std::to_string(f.size);
  out += ",\"root\":\"" + f.root.Hex();
  out += "\",\"first_index\":" + std::to_string(f.first_index);
  out += ",\"count\":" + std::to_string(f.count);
  out += ",\"checkpoint_digest\":\"" + f.checkpoint_digest.Hex() + "\"}";
  return out;
}

Status VerifyAppProof(std::string_view checkpoint_note, uint64_t first_index, uint64_t count,
                      ledger::ByteView payload, ledger::ByteView signature,
                      ledger::ByteView public_key) {
  ASSIGN_OR_RETURN(ledger::note::Note note, ledger::note::Parse(checkpoint_note));
  ASSIGN_OR_RETURN(ledger::Checkpoint cp, ledger::Checkpoint::FromText(note.text));
  AppProofFields fields{cp.origin, cp.size, cp.root, first_index, count,
                        ledger::Sha256::Digest(checkpoint_note)};
  ASSIGN_OR_RETURN(std::string expected, AppProofPayload(fields));
  if (ledger::AsString(payload) != expected) {
    return Status::VerificationFailed("app_proof_mismatch",
                                      "the payload is not the one for this checkpoint and batch");
  }
  ASSIGN_OR_RETURN(ledger::P256PublicKey key, ledger::P256PublicKey::FromSec1(public_key));
  return key.Verify(payload, signature);
}

}  // namespace notary
