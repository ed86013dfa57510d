// promtool (Debian package prometheus, installed by ops/setup) on a
// /metrics page: `promtool check metrics` parses it as Prometheus does and
// lints its names (one HELP/TYPE per family, _total counters, base units).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include "ledger_test_paths.h"

namespace ledger::testing {

inline bool PromtoolAvailable() {
  return std::system("command -v promtool >/dev/null 2>&1") == 0;
}

struct PromtoolResult {
  int code = -1;       // promtool's exit status
  std::string output;  // its stdout and stderr
};

// `promtool check metrics < page`.
inline PromtoolResult PromtoolCheckMetrics(const std::string& page) {
  PromtoolResult r;
  char path[] = "/tmp/metrics-page-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return r;
  ::close(fd);
  std::ofstream(path, std::ios::binary) << page;
  const std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p != nullptr) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::filesystem::remove(path);
  return r;
}

// Skips the test, with the reason, when promtool is not installed.
#define SKIP_WITHOUT_PROMTOOL()                                                  \
  do {                                                                           \
    if (!::ledger::testing::PromtoolAvailable()) {                               \
      GTEST_SKIP() << "promtool not found (Debian package prometheus; ops/setup " \
                      "installs it)";                                            \
    }                                                                            \
  } while (0)

// The page passes `promtool check metrics`: exit 0 and nothing reported.
inline void ExpectPromtoolAccepts(const std::string& page, const std::string& what) {
  PromtoolResult r = PromtoolCheckMetrics(page);
  EXPECT_EQ(r.code, 0) << what << ": promtool check metrics:\n" << r.output << "\n" << page;
  EXPECT_EQ(r.output, "") << what << ": promtool check metrics:\n" << r.output;
}

// The metric names starting with `prefix` ("ledgerd_", ...) that
// ops/monitoring's alert rules and dashboard use.
inline std::set<std::string> MonitoringNames(const std::string& prefix) {
  std::set<std::string> out;
  for (const char* file : {"/ops/monitoring/alerts.yml", "/ops/monitoring/dashboard.json"}) {
    std::ifstream in(std::string(LEDGER_SOURCE_DIR) + file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(text.empty()) << file;
    const std::regex name("\\b" + prefix + "[a-z0-9_]+");
    for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) {
      out.insert(it->str());
    }
  }
  return out;
}

// Every name ops/monitoring uses with `prefix` is a family of the page (a
// histogram's _bucket, _sum and _count included).
inline void ExpectMonitoringNamesOnPage(const std::string& page, const std::string& prefix) {
  const std::set<std::string> names = MonitoringNames(prefix);
  EXPECT_FALSE(names.empty()) << prefix;
  for (const std::string& n : names) {
    std::string family = n;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (n.size() > s.size() && n.ends_with(s) &&
          page.find("# TYPE " + n.substr(0, n.size() - s.size()) + " histogram\n") !=
              std::string::npos) {
        family = n.substr(0, n.size() - s.size());
      }
    }
    EXPECT_NE(page.find("# TYPE " + family + " "), std::string::npos)
        << n << " is used by ops/monitoring but not on the page";
  }
}

}  // namespace ledger::testing
