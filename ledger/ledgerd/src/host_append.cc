// ledgerd's own entries and the export requesters (host_tasks.h).
#include <openssl/crypto.h>

#include <fstream>
#include <iterator>

#include "ledger/ed25519.h"
#include "ledger/ledgerd/host_tasks.h"
#include "ledger/stamp.h"

namespace ledger::ledgerd {
namespace {

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no_such_file", "cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

Result<std::unique_ptr<note::Signer>> ReadHostKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadAll(path));
  std::vector<std::string> lines = Lines(text);
  OPENSSL_cleanse(text.data(), text.size());
  auto bad = [&](const std::string& why) {
    for (auto& l : lines) OPENSSL_cleanse(l.data(), l.size());
    return Status::InvalidArgument("bad_key_file", path + ": " + why);
  };
  if (lines.size() != 2 && lines.size() != 3) return bad("not a submitter key file");
  if (lines.size() == 3 && lines[1] != "ed25519") return bad("the host key must be Ed25519");
  std::string name = lines[0];
  if (!note::IsValidKeyName(name)) return bad("bad key name");
  auto seed = HexDecode(lines.back());
  if (!seed.ok()) return bad("bad secret");
  auto key = Ed25519PrivateKey::FromSeed(*seed);
  OPENSSL_cleanse(seed->data(), seed->size());
  if (!key.ok()) return bad(key.status().message());
  for (auto& l : lines) OPENSSL_cleanse(l.data(), l.size());
  return note::NewEd25519Signer(std::move(name), std::move(key).value());
}

Result<ExportTokens> ExportTokens::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadAll(path));
  ExportTokens t;
  size_t n = 0;
  for (const std::string& line : Lines(text)) {
    ++n;
    const size_t colon = line.rfind(':');
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("bad_token_file",
                                     path + " line " + std::to_string(n) + ": " + why);
    };
    if (colon == std::string::npos || colon == 0) return bad("not <requester>:<hex sha256>");
    auto digest = Hash::FromHex(line.substr(colon + 1));
    if (!digest.ok()) return bad("not a hex SHA-256");
    if (!t.digests_.emplace(line.substr(0, colon), *digest).second) {
      return bad("repeated requester");
    }
  }
  if (t.digests_.empty()) return Status::InvalidArgument("bad_token_file", path + " is empty");
  return t;
}

std::optional<std::string> ExportTokens::Authenticate(const std::string& authorization) const {
  constexpr std::string_view kBasic = "Basic ";
  if (!authorization.starts_with(kBasic)) return std::nullopt;
  auto decoded = Base64Decode(std::string_view(authorization).substr(kBasic.size()));
  if (!decoded.ok()) return std::nullopt;
  std::string pair(AsString(*decoded));
  const size_t colon = pair.find(':');  // RFC 7617: the user id has no colon
  if (colon == std::string::npos) return std::nullopt;
  std::string user = pair.substr(0, colon);
  const Hash given = Sha256::Digest(pair.substr(colon + 1));
  OPENSSL_cleanse(pair.data(), pair.size());
  auto it = digests_.find(user);
  // Unknown users are compared against a fixed digest too, so the time does
  // not tell which requesters exist.
  const Hash expected = it != digests_.end() ? it->second : Hash();
  const bool same = CRYPTO_memcmp(given.bytes.data(), expected.bytes.data(), Hash::kSize) == 0;
  if (it == digests_.end() || !same) return std::nullopt;
  return user;
}

Result<SequencedBatch> HostAppender::Append(const Event& event,
                                            const std::optional<store::Payload>& payload) {
  ASSIGN_OR_RETURN(Bytes bytes, EncodeEvent(event));
  ASSIGN_OR_RETURN(Bytes stamp, MakeStamp(store_->origin(), bytes, *key_));
  Entry entry{SubmittedEvent{std::move(bytes), std::move(stamp)}, payload, ""};
  std::vector<Entry> entries;
  entries.push_back(std::move(entry));
  ASSIGN_OR_RETURN(auto futures, batcher_->Submit(std::move(entries)));
  ASSIGN_OR_RETURN(Acknowledged ack, futures.at(0).get());
  ASSIGN_OR_RETURN(store::LeafWithProof leaf, store_->GetLeaf(ack.index));
  std::string note = ack.batch_checkpoint;
  if (witnessing_ != nullptr) {
    ASSIGN_OR_RETURN(uint64_t covered, witnessing_->WaitCovered(ack.index, witness_timeout_));
    ASSIGN_OR_RETURN(note, store_->CheckpointAt(covered));
  }
  ASSIGN_OR_RETURN(VerifiedCheckpoint cp, VerifyCheckpoint(note, *log_key_));
  SequencedBatch out;
  out.first_index = ack.index;
  out.leaves.push_back(std::move(leaf.leaf));
  out.leaf_hashes.push_back(leaf.leaf_hash);
  out.checkpoint = cp.checkpoint;
  out.checkpoint_note = std::move(note);
  return out;
}

}  // namespace ledger::ledgerd
