// The attempt in flight, kept in anchord's state file (see anchord/anchord.h):
// what the chain does not give back (the notary's statement signature and the
// signed checkpoint), so that an anchor confirmed just before a crash is
// still recorded with its evidence after the restart.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "anchord/anchord.h"

namespace anchor::anchord {

struct Anchord::Attempt {
  uint64_t chain_id = 0;
  evm::Address contract;
  evm::registry::Statement statement;
  std::string checkpoint;
  std::array<uint8_t, 65> signature{};
  uint64_t from_block = 0;  // the chain's height before it was sent
};

// Written to `path` + ".tmp", fsynced, renamed over `path`, directory
// fsynced: after a crash the file is the old attempt or the new one.
ledger::Status WriteAttempt(const std::string& path, const Anchord::Attempt& a);
// nullopt when there is no file; Corruption("bad_state_file") when it does
// not parse (it is anchord's own file: a bad one is reported, not guessed at).
ledger::Result<std::optional<Anchord::Attempt>> ReadAttempt(const std::string& path);

}  // namespace anchor::anchord
