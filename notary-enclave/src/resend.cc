// Re-sent requests: the one-slot memory of the last answer that moved the
// head (see notary/enclave.h).
//
// The host writes a batch only after the notary answered it. A host killed in
// between restarts to find the notary one batch ahead of its store; it then
// sends the identical request again (it journaled the request before the
// call, docs/crash-safety.md) and gets the identical answer, which it
// verifies and writes as it would have the first time. Nothing new is signed,
// so "never two inconsistent checkpoints" holds without an argument, and the
// head is where that answer put it. Any other request against the old head
// is refused as before (head_mismatch, rollback, fork); once the head has
// moved again the slot no longer matches, and a re-send is refused too.
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/crypto.h>

#include "notary/enclave.h"

namespace notary {

namespace {

// Feeds serialized bytes to SHA-256 as protobuf writes them, so digesting a
// request never holds a second copy of it.
class HashingStream : public google::protobuf::io::CopyingOutputStream {
 public:
  bool Write(const void* buffer, int size) override {
    sha_.Update(ledger::ByteView(static_cast<const uint8_t*>(buffer), static_cast<size_t>(size)));
    return true;
  }
  ledger::Hash Final() { return sha_.Final(); }

 private:
  ledger::Sha256 sha_;
};

}  // namespace

std::optional<ledger::Hash> Enclave::HeadMovingDigest(const pb::HostRequest& request) {
  switch (request.body_case()) {
    case pb::HostRequest::kRestore:
    case pb::HostRequest::kAppend:
    case pb::HostRequest::kChangePolicy: break;
    default: return std::nullopt;
  }
  // SHA-256 of the request's bytes: the frame parser admits only the one
  // canonical encoding, so these are the bytes the host sent.
  HashingStream hashing;
  {
    google::protobuf::io::CopyingOutputStreamAdaptor out(&hashing);
    if (!request.SerializeToZeroCopyStream(&out) || !out.Flush()) return std::nullopt;
  }
  return hashing.Final();
}

const pb::NotaryResponse* Enclave::ResentAnswer(const std::optional<ledger::Hash>& digest) const {
  if (!digest || !last_answer_ || !sequencer_) return nullptr;
  const LastAnswer& last = *last_answer_;
  if (CRYPTO_memcmp(digest->bytes.data(), last.request_digest.bytes.data(), ledger::Hash::kSize) !=
      0) {
    return nullptr;
  }
  // Only while that answer's checkpoint is still the head: after any later
  // batch the same request is stale and takes the ordinary path (refused).
  if (sequencer_->head().checkpoint_note != last.head_note) return nullptr;
  return &last.response;
}

void Enclave::RememberAnswer(const std::optional<ledger::Hash>& digest,
                             const pb::NotaryResponse& response) {
  const bool moved = response.has_sequenced() ||
                     (response.has_restored() && response.restored().has_boot_entry());
  if (!digest || !moved || !sequencer_) return;
  last_answer_.emplace(LastAnswer{*digest, sequencer_->head().checkpoint_note, response});
}

}  // namespace notary
