// A test log for the witness tests: leaves in memory, checkpoints signed with
// a fresh Ed25519 log key, consistency proofs from the leaves.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "witness/add_checkpoint.h"

namespace anchor::witness::testing {

class TestLog {
 public:
  // Leaves from index `shared` on are salted: two logs with one origin and
  // different salts agree on their first `shared` leaves only.
  explicit TestLog(std::string origin, std::string salt = "", uint64_t shared = 0)
      : origin_(std::move(origin)), salt_(std::move(salt)), shared_(shared) {
    signer_ = ledger::note::NewEd25519Signer(origin_, ledger::Ed25519PrivateKey::Generate().value());
  }

  const std::string& origin() const { return origin_; }
  std::string vkey() const { return signer_->VerifierKey(); }
  const ledger::note::Signer& signer() const { return *signer_; }

  void Grow(uint64_t size) {
    while (leaves_.size() < size) {
      leaves_.push_back(ledger::merkle::LeafHash(
          ledger::AsBytes((leaves_.size() < shared_ ? "" : salt_) + "entry " + std::to_string(leaves_.size()))));
    }
  }
  ledger::Hash Root(uint64_t size) {
    Grow(size);
    return ledger::merkle::RootFromLeafHashes(std::span(leaves_).first(size));
  }
  ledger::Checkpoint CheckpointAt(uint64_t size) { return {origin_, size, Root(size), {}}; }
  // The signed note of the checkpoint at size.
  std::string Note(uint64_t size) { return Sign(CheckpointAt(size)); }
  std::string Sign(const ledger::Checkpoint& cp) const {
    return ledger::SignCheckpoint(cp, *signer_).value();
  }
  std::vector<ledger::Hash> Proof(uint64_t old_size, uint64_t size) {
    Grow(size);
    auto source = [this](uint32_t level, uint64_t index) -> ledger::Result<ledger::Hash> {
      return ledger::merkle::RootFromLeafHashes(
          std::span(leaves_).subspan(index << level, uint64_t{1} << level));
    };
    return ledger::merkle::ConsistencyProof(old_size, size, source).value();
  }
  // An add-checkpoint body from old_size to size with a valid proof.
  std::string Body(uint64_t old_size, uint64_t size) {
    std::vector<ledger::Hash> proof;
    if (old_size > 0 && old_size < size) proof = Proof(old_size, size);
    return FormatAddCheckpoint({old_size, std::move(proof), Note(size)});
  }

 private:
  std::string origin_;
  std::string salt_;
  uint64_t shared_ = 0;
  std::unique_ptr<ledger::note::Signer> signer_;
  std::vector<ledger::Hash> leaves_;
};

}  // namespace anchor::witness::testing
