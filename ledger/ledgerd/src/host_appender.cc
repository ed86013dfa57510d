// ledgerd's own entries (host_appender.h).
#include <openssl/crypto.h>

#include "ledger/crypto/ed25519.h"
#include "ledger/files/read_file.h"
#include "ledger/ledgerd/host_appender.h"
#include "ledger/record/stamp.h"
#include "text_file.h"

namespace ledger::ledgerd {

Result<std::unique_ptr<note::Signer>> ReadHostKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, files::ReadFile(path));
  std::vector<std::string> lines = TextLines(text);
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
