#include "ledger/ledgerd/config.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "ledger/files/read_file.h"
#include "ledger/note/witness_time.h"

namespace ledger::ledgerd {
namespace {

bool ParseNumber(std::string_view s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

Status Bad(std::string_view name, const std::string& value, const std::string& want) {
  return Status::InvalidArgument("bad_option",
                                 "--" + std::string(name) + " " + value + ": " + want);
}

// Options whose value is a number (JSON unsigned integer in the file).
bool IsNumeric(std::string_view name) {
  return name == "max-batch" || name == "max-delay-ms" || name == "queue-limit" ||
         name == "max-body" || name == "http-threads" || name == "witness-timeout-ms" ||
         name == "witness-request-timeout-ms" || name == "witness-refresh-ms" ||
         name == "verify-every";
}

}  // namespace

Status ApplyOption(std::string_view name, const std::string& value, ServerOptions& o) {
  uint64_t n = 0;
  const bool numeric = IsNumeric(name);
  if (numeric && !ParseNumber(value, n)) return Bad(name, value, "a decimal number");
  if (name == "data") {
    if (value.empty()) return Bad(name, value, "a directory");
    o.data_dir = value;
  } else if (name == "listen") {
    size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 || !ParseNumber(value.substr(colon + 1), n) ||
        n > 65535) {
      return Bad(name, value, "HOST:PORT");
    }
    o.host = value.substr(0, colon);
    o.port = static_cast<int>(n);
  } else if (name == "max-batch") {
    if (n < 1 || n > 10000) return Bad(name, value, "1..10000");
    o.max_batch = n;
  } else if (name == "max-delay-ms") {
    if (n > 60000) return Bad(name, value, "0..60000");
    o.max_delay = std::chrono::milliseconds(n);
  } else if (name == "queue-limit") {
    if (n < 1) return Bad(name, value, "at least 1");
    o.queue_limit = n;
  } else if (name == "max-body") {
    if (n < 1024) return Bad(name, value, "at least 1024");
    o.max_body = n;
  } else if (name == "http-threads") {
    if (n < 1 || n > 4096) return Bad(name, value, "1..4096");
    o.http_threads = n;
  } else if (name == "audit-on-start") {
    if (value != "on" && value != "off") return Bad(name, value, "on or off");
    o.audit_on_start = value == "on";
  } else if (name == "witness") {
    if (value.find('=') == std::string::npos) return Bad(name, value, "NAME=URL");
    o.witnesses.push_back(value);
  } else if (name == "witness-timeout-ms") {
    if (n < 1 || n > 600000) return Bad(name, value, "1..600000");
    o.witness_timeout = std::chrono::milliseconds(n);
  } else if (name == "witness-request-timeout-ms") {
    if (n < 1 || n > 600000) return Bad(name, value, "1..600000");
    o.witness_request_timeout = std::chrono::milliseconds(n);
  } else if (name == "witness-refresh-ms") {
    // Slower than a third of the skew bound, an idle log's notary would
    // outlive its witness time and refuse to sequence (clock_skew).
    const uint64_t max = kMaxClockSkewSeconds * 1000 / 3 - 1;
    if (n < 1 || n > max) return Bad(name, value, "1.." + std::to_string(max));
    o.witness_refresh = std::chrono::milliseconds(n);
  } else if (name == "host-key" || name == "export-tokens" || name == "anchor-tokens" ||
             name == "verify-backup" || name == "tsa-ca") {
    if (value.empty()) return Bad(name, value, "a file or directory");
    std::string& field = name == "host-key"        ? o.host_key
                         : name == "export-tokens" ? o.export_tokens
                         : name == "anchor-tokens" ? o.anchor_tokens
                         : name == "tsa-ca"        ? o.tsa_ca
                                                   : o.verify_backup;
    field = value;
  } else if (name == "tls-cert" || name == "tls-key" || name == "client-ca" ||
             name == "witness-ca") {
    if (value.empty()) return Bad(name, value, "a file");
    std::string& field = name == "tls-cert"    ? o.tls.cert_file
                         : name == "tls-key"   ? o.tls.key_file
                         : name == "client-ca" ? o.tls.client_ca
                                               : o.witness_tls.ca_file;
    field = value;
  } else if (name == "tsa-url") {
    if (!value.starts_with("http://") && !value.starts_with("https://")) {
      return Bad(name, value, "an http(s) URL");
    }
    o.tsa_url = value;
  } else if (name == "verify-every") {
    if (n > 31'536'000) return Bad(name, value, "0..31536000 seconds");
    o.verify_every = std::chrono::seconds(n);
  } else {
    return Status::InvalidArgument("bad_option", "unknown option --" + std::string(name));
  }
  return Status::Ok();
}

Status ApplyConfigFile(const std::string& path, ServerOptions& o) {
  ASSIGN_OR_RETURN(std::string text, files::ReadFile(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("bad_config", path + ": " + why);
  };
  if (!j.is_object()) return bad("not a JSON object");
  for (auto& [key, value] : j.items()) {
    std::string name = key;
    for (char& c : name) c = c == '_' ? '-' : c;
    if (name == "witness") {
      if (!value.is_array()) return bad("\"witness\" is an array of \"NAME=URL\" strings");
      for (const auto& w : value) {
        if (!w.is_string()) return bad("\"witness\" is an array of \"NAME=URL\" strings");
        RETURN_IF_ERROR(ApplyOption(name, w.get<std::string>(), o));
      }
      continue;
    }
    if (name == "config") return bad("\"config\" cannot be nested");
    std::string v;
    if (IsNumeric(name)) {
      if (!value.is_number_unsigned()) return bad("\"" + key + "\" is an unsigned integer");
      v = std::to_string(value.get<uint64_t>());
    } else if (value.is_string()) {
      v = value.get<std::string>();
    } else {
      return bad("\"" + key + "\" is a string");
    }
    Status s = ApplyOption(name, v, o);
    if (!s.ok()) {
      return s.message().starts_with("unknown option") ? bad("unknown key \"" + key + "\"") : s;
    }
  }
  return Status::Ok();
}

Status ParseCommandLine(const std::vector<std::string>& args, ServerOptions& o) {
  if (args.size() % 2 != 0) {
    return Status::InvalidArgument("bad_option", "every flag takes one value");
  }
  for (size_t i = 0; i < args.size(); i += 2) {
    if (!args[i].starts_with("--")) {
      return Status::InvalidArgument("bad_option", "unexpected argument " + args[i]);
    }
  }
  for (size_t i = 0; i < args.size(); i += 2) {
    if (args[i] == "--config") RETURN_IF_ERROR(ApplyConfigFile(args[i + 1], o));
  }
  bool witness_flags = false;
  for (size_t i = 0; i < args.size(); i += 2) {
    std::string_view name = std::string_view(args[i]).substr(2);
    if (name == "config") continue;
    if (name == "witness" && !witness_flags) {
      witness_flags = true;
      o.witnesses.clear();  // flags replace the file's list
    }
    RETURN_IF_ERROR(ApplyOption(name, args[i + 1], o));
  }
  return Status::Ok();
}

}  // namespace ledger::ledgerd
