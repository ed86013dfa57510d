// A minimal argument parser: "--name value", "--flag" and positionals.
// Hand-written because Debian ships no CLI parser the project already
// depends on, and ledgerctl's grammar is small.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/base/status.h"

namespace ledger::cli {

class Args {
 public:
  // `flags` are the options that take no value.
  static Result<Args> Parse(const std::vector<std::string>& argv, const std::set<std::string>& flags);

  std::optional<std::string> Get(const std::string& name) const;
  // Every value of a repeatable option, in command-line order (Get returns the last).
  std::vector<std::string> GetAll(const std::string& name) const;
  Result<std::string> Required(const std::string& name) const;
  Result<uint64_t> U64(const std::string& name, uint64_t fallback) const;
  bool Flag(const std::string& name) const { return flags_.contains(name); }
  const std::vector<std::string>& positional() const { return positional_; }
  // InvalidArgument("unknown_option") for options the command does not take.
  Status Allow(const std::set<std::string>& names) const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

Result<uint64_t> ParseU64(const std::string& s, const std::string& what);

}  // namespace ledger::cli
