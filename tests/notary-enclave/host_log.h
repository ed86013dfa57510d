// What the host keeps, for tests: every leaf the notary sequenced, so a test
// can build the head (checkpoint, frontier, last leaf and its proof) that
// LogStore::ReadHead would give.
#pragma once

#include <string>
#include <vector>

#include "ledger/merkle/merkle.h"
#include "ledger/v1/notary.pb.h"

namespace notary::testing {

struct HostLog {
  std::vector<ledger::Bytes> leaves;
  std::vector<ledger::Hash> hashes;
  std::string checkpoint_note;

  void Add(const ledger::v1::notary::Sequenced& s) {
    for (const std::string& leaf : s.leaves()) {
      leaves.push_back(ledger::ToBytes(leaf));
      hashes.push_back(ledger::merkle::LeafHash(leaves.back()));
    }
    checkpoint_note = s.checkpoint_note();
  }
  uint64_t size() const { return hashes.size(); }
  ledger::Hash Root(size_t n) const { return ledger::merkle::RootFromLeafHashes({hashes.data(), n}); }
  ledger::Hash Root() const { return Root(hashes.size()); }
  std::string RootBytes() const { return std::string(ledger::AsString(Root().view())); }

  // The head at the current size, as the host shows it to a notary.
  ledger::v1::notary::Restore Head() const {
    ledger::v1::notary::Restore r;
    r.set_checkpoint_note(checkpoint_note);
    ledger::merkle::CompactRange range;
    for (const auto& h : hashes) range.Append(h);
    for (const auto& h : range.nodes()) r.add_frontier(std::string(ledger::AsString(h.view())));
    if (!leaves.empty()) {
      r.set_last_leaf(std::string(ledger::AsString(leaves.back())));
      auto source = [this](uint32_t level, uint64_t index) -> ledger::Result<ledger::Hash> {
        size_t begin = static_cast<size_t>(index << level), width = size_t{1} << level;
        return ledger::merkle::RootFromLeafHashes({hashes.data() + begin, width});
      };
      auto proof = ledger::merkle::InclusionProof(size() - 1, size(), source);
      for (const auto& h : proof.value()) {
        r.add_last_leaf_proof(std::string(ledger::AsString(h.view())));
      }
    }
    return r;
  }
};

}  // namespace notary::testing
