#include "witness/add_checkpoint.h"

#include "ledger/note/checkpoint.h"

namespace anchor::witness {
namespace {

using ledger::Result;
using ledger::Status;

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_request", std::move(message));
}

// The next '\n'-terminated line of body at pos, without its '\n'.
Result<std::string_view> NextLine(std::string_view body, size_t& pos) {
  size_t nl = body.find('\n', pos);
  if (nl == std::string_view::npos) return Malformed("unterminated line");
  std::string_view line = body.substr(pos, nl - pos);
  pos = nl + 1;
  return line;
}

}  // namespace

Result<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body) {
  if (body.size() > kMaxAddCheckpointBody) {
    return Status::InvalidArgument("body_too_large", "add-checkpoint body above 1 MiB");
  }
  AddCheckpointRequest req;
  size_t pos = 0;
  ASSIGN_OR_RETURN(std::string_view first, NextLine(body, pos));
  constexpr std::string_view kOld = "old ";
  if (!first.starts_with(kOld)) return Malformed("first line is not \"old <size>\"");
  auto old_size = ledger::ParseDecimalU64(first.substr(kOld.size()));
  if (!old_size.ok()) return Malformed("old size is not a canonical decimal");
  req.old_size = *old_size;
  // tlog-witness: proof lines, then one empty line, then the checkpoint.
  while (true) {
    ASSIGN_OR_RETURN(std::string_view line, NextLine(body, pos));
    if (line.empty()) break;
    if (req.proof.size() == kMaxProofHashes) return Malformed("more than 63 proof lines");
    auto hash = ledger::Hash::FromBase64(line);
    if (!hash.ok()) return Malformed("proof line is not a base64 SHA-256 hash");
    req.proof.push_back(*hash);
  }
  if (pos == body.size()) return Malformed("no checkpoint");
  req.checkpoint = std::string(body.substr(pos));
  return req;
}

std::string FormatAddCheckpoint(const AddCheckpointRequest& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const auto& h : request.proof) out += h.Base64() + "\n";
  out += "\n";
  out += request.checkpoint;
  return out;
}

}  // namespace anchor::witness
