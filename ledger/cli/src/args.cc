#include "args.h"

#include <charconv>

namespace ledger::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv,
                         const std::set<std::string>& flags) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (s.size() > 2 && s.rfind("--", 0) == 0) {
      std::string name = s.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        a.values_[name.substr(0, eq)] = name.substr(eq + 1);
        a.all_values_[name.substr(0, eq)].push_back(name.substr(eq + 1));
      } else if (flags.contains(name)) {
        a.flags_.insert(name);
      } else if (i + 1 < argv.size()) {
        a.values_[name] = argv[++i];
        a.all_values_[name].push_back(argv[i]);
      } else {
        return Status::InvalidArgument("missing_value", "--" + name + " needs a value");
      }
    } else {
      a.positional_.push_back(s);
    }
  }
  return a;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = all_values_.find(name);
  return it == all_values_.end() ? std::vector<std::string>{} : it->second;
}

Result<std::string> Args::Required(const std::string& name) const {
  auto v = Get(name);
  if (!v) return Status::InvalidArgument("missing_option", "--" + name + " is required");
  return *v;
}

Result<uint64_t> ParseU64(const std::string& s, const std::string& what) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Status::InvalidArgument("bad_number", what + " must be an unsigned 64-bit integer");
  }
  return v;
}

Result<uint64_t> Args::U64(const std::string& name, uint64_t fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  return ParseU64(*v, "--" + name);
}

Status Args::Allow(const std::set<std::string>& names) const {
  for (const auto& [k, v] : values_) {
    if (!names.contains(k)) return Status::InvalidArgument("unknown_option", "unknown option --" + k);
  }
  for (const auto& f : flags_) {
    if (!names.contains(f)) return Status::InvalidArgument("unknown_option", "unknown option --" + f);
  }
  return Status::Ok();
}

}  // namespace ledger::cli
