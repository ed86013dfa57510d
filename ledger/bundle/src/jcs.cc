// RFC 8785 serialization: §3.2.2 (literals, strings, numbers), §3.2.3 (member
// order by UTF-16 code units).
#include "ledger/bundle/jcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "ledger/record/event.h"

namespace ledger::bundle {
namespace {

constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53

Status Unsupported(const std::string& what) {
  return Status::InvalidArgument("jcs_unsupported", what);
}

// RFC 8785 §3.2.2.2: ECMAScript JSON.stringify string escaping; everything
// else is written as its UTF-8 bytes.
void AppendString(std::string& out, const std::string& s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

// UTF-16 code units of a valid UTF-8 string (for §3.2.3 ordering).
std::u16string Utf16(const std::string& s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
      cp = c, n = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1Fu, n = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0Fu, n = 3;
    } else {
      cp = c & 0x07u, n = 4;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

Status Append(std::string& out, const nlohmann::json& v, int depth) {
  if (depth > 64) return Unsupported("nesting deeper than 64");
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "null"; return Status::Ok();
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return Status::Ok();
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!IsValidUtf8(s)) return Unsupported("string is not valid UTF-8");
      AppendString(out, s);
      return Status::Ok();
    }
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = v.get<uint64_t>();
      if (static_cast<double>(u) > kMaxSafeInteger) return Unsupported("integer above 2^53");
      out += std::to_string(u);
      return Status::Ok();
    }
    case nlohmann::json::value_t::number_integer: {
      int64_t i = v.get<int64_t>();
      if (std::fabs(static_cast<double>(i)) > kMaxSafeInteger) {
        return Unsupported("integer beyond ±2^53");
      }
      out += std::to_string(i);
      return Status::Ok();
    }
    case nlohmann::json::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) return Unsupported("NaN or infinite number");
      out += FormatEcmaScriptNumber(d);
      return Status::Ok();
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        RETURN_IF_ERROR(Append(out, e, depth + 1));
      }
      out.push_back(']');
      return Status::Ok();
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<std::u16string, const std::string*>> keys;
      for (const auto& [k, unused] : v.items()) {
        (void)unused;
        if (!IsValidUtf8(k)) return Unsupported("member name is not valid UTF-8");
      }
      for (auto it = v.begin(); it != v.end(); ++it) keys.emplace_back(Utf16(it.key()), &it.key());
      std::sort(keys.begin(), keys.end());
      out.push_back('{');
      bool first = true;
      for (const auto& [unused, key] : keys) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(out, *key);
        out.push_back(':');
        RETURN_IF_ERROR(Append(out, v.at(*key), depth + 1));
      }
      out.push_back('}');
      return Status::Ok();
    }
    default:
      return Unsupported("binary or discarded value");
  }
}

}  // namespace

std::string FormatEcmaScriptNumber(double value) {
  if (value == 0) return "0";  // also -0 (ECMA-262 §7.1.12.1 step 2)
  std::string out;
  if (value < 0) {
    out.push_back('-');
    value = -value;
  }
  // Shortest round-trip digits d1.d2d3...e±X; ECMA-262's k, n and s.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp10 = std::stoi(sci.substr(e + 1));
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out += digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += n - 1 >= 0 ? "+" : "-";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Result<std::string> CanonicalJson(const nlohmann::json& value) {
  std::string out;
  RETURN_IF_ERROR(Append(out, value, 0));
  return out;
}

}  // namespace ledger::bundle
