// How ledgerctl prints: human-readable text by default, one JSON document
// with --json; errors carry the stable code and reason either way.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"

namespace ledger::cli {

struct Output {
  std::ostream& out;
  std::ostream& err;
  bool json = false;

  // Prints `doc` with --json, else `text`.
  void Print(const nlohmann::json& doc, const std::string& text) const;
  // Prints the error and returns its exit code.
  int Fail(const Status& s) const;
};

nlohmann::json HashesJson(const std::vector<Hash>& hashes);

}  // namespace ledger::cli
