// Prometheus text exposition format 0.0.4, written (never parsed): the
// /metrics pages of ledgerd, the explorer, the witness and anchord.
//
// Each metric family gets one HELP and one TYPE line, then its samples;
// label values and help texts are escaped as the format requires. Names
// follow Prometheus's conventions: base units (seconds, bytes), counters end
// in _total. Text only: no I/O, no dependency.
//
//   ledger::prometheus::Page page;
//   page.Gauge("ledgerd_store_size", "entries in the store", 42);
//   page.Family("ledgerd_witness_up", "gauge", "1 when ...");
//   page.Sample("ledgerd_witness_up", 1, {{"witness", "w1"}});
//   res.set_content(page.str(), ledger::prometheus::kContentType);
//
// Thread-safety: a Page is built by one thread.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ledger::prometheus {

inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// A sample value: integers exactly, doubles in their shortest exact form.
inline std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}
inline std::string FormatValue(uint64_t v) { return std::to_string(v); }

// Label values: backslash, double quote and newline escaped.
inline std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// HELP texts: backslash and newline escaped.
inline std::string EscapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class Page {
 public:
  // The HELP and TYPE lines of a family ("counter", "gauge", "histogram",
  // "summary", "untyped"); its samples follow.
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += EscapeHelp(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  // One sample line; `name` is the family's name, or name_bucket/_sum/_count
  // of a histogram.
  template <typename V>
  void Sample(std::string_view name, V value, const Labels& labels = {}) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += EscapeLabelValue(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    if constexpr (std::is_floating_point_v<V>) {
      out_ += FormatValue(static_cast<double>(value));
    } else {
      out_ += FormatValue(static_cast<uint64_t>(value));
    }
    out_ += '\n';
  }

  // A family with one unlabelled sample.
  template <typename V>
  void Gauge(std::string_view name, std::string_view help, V value) {
    Family(name, "gauge", help);
    Sample(name, value);
  }
  template <typename V>
  void Counter(std::string_view name, std::string_view help, V value) {
    Family(name, "counter", help);
    Sample(name, value);
  }

  // A histogram from per-bucket (not cumulative) counts: `counts[i]` for
  // upper bound `bounds[i]`, the last bound being "+Inf".
  void Histogram(std::string_view name, std::string_view help,
                 const std::vector<std::pair<std::string_view, uint64_t>>& buckets, double sum,
                 uint64_t count, const Labels& labels = {}) {
    Family(name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    for (const auto& [le, n] : buckets) {
      cumulative += n;
      Labels with_le = labels;
      with_le.emplace_back("le", le);
      Sample(bucket, cumulative, with_le);
    }
    Sample(std::string(name) + "_sum", sum, labels);
    Sample(std::string(name) + "_count", count, labels);
  }

  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

}  // namespace ledger::prometheus
