// ledger::prometheus::Page: the text exposition format 0.0.4 as written by
// every daemon's /metrics (one HELP/TYPE per family, escaped label values
// and help texts, cumulative histogram buckets), and what promtool says.
#include "ledger/metrics/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "promtool.h"

namespace ledger::prometheus {
namespace {

TEST(PrometheusPage, FamiliesSamplesAndHistograms) {
  Page m;
  m.Gauge("x_size", "entries", 42);
  m.Counter("x_requests_total", "requests", uint64_t{7});
  m.Family("x_up", "gauge", "1 when up");
  m.Sample("x_up", 1, {{"witness", "w1"}});
  m.Sample("x_up", 0, {{"witness", "w2"}});
  m.Histogram("x_batch_seconds", "per batch", {{"0.01", 2}, {"0.1", 1}, {"+Inf", 0}}, 0.125, 3);
  EXPECT_EQ(m.str(),
            "# HELP x_size entries\n# TYPE x_size gauge\nx_size 42\n"
            "# HELP x_requests_total requests\n# TYPE x_requests_total counter\n"
            "x_requests_total 7\n"
            "# HELP x_up 1 when up\n# TYPE x_up gauge\nx_up{witness=\"w1\"} 1\n"
            "x_up{witness=\"w2\"} 0\n"
            "# HELP x_batch_seconds per batch\n# TYPE x_batch_seconds histogram\n"
            "x_batch_seconds_bucket{le=\"0.01\"} 2\nx_batch_seconds_bucket{le=\"0.1\"} 3\n"
            "x_batch_seconds_bucket{le=\"+Inf\"} 3\nx_batch_seconds_sum 0.125\n"
            "x_batch_seconds_count 3\n");
}

TEST(PrometheusPage, Values) {
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1e-6), "1e-06");
  EXPECT_EQ(FormatValue(123456.789012), "123456.789012");
  EXPECT_EQ(FormatValue(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PrometheusPage, EscapesLabelValuesAndHelp) {
  Page m;
  m.Family("x_cosigned_size", "gauge", "back\\slash\nnew line \"quoted\"");
  m.Sample("x_cosigned_size", 3, {{"log", "a\"b\\c\nd"}, {"other", "e"}});
  EXPECT_EQ(m.str(),
            "# HELP x_cosigned_size back\\\\slash\\nnew line \"quoted\"\n"
            "# TYPE x_cosigned_size gauge\n"
            "x_cosigned_size{log=\"a\\\"b\\\\c\\nd\",other=\"e\"} 3\n");
  SKIP_WITHOUT_PROMTOOL();
  ledger::testing::ExpectPromtoolAccepts(m.str(), "escaped page");
}

TEST(PrometheusPage, PromtoolRefusesAFamilyDeclaredTwice) {
  SKIP_WITHOUT_PROMTOOL();
  // What ledgerd's page did before the quorum's size got its own name.
  Page m;
  m.Gauge("x_cosigned_size", "quorum", 3);
  m.Family("x_cosigned_size", "gauge", "per witness");
  m.Sample("x_cosigned_size", 3, {{"witness", "w1"}});
  auto r = ledger::testing::PromtoolCheckMetrics(m.str());
  EXPECT_NE(r.code, 0) << r.output;
}

}  // namespace
}  // namespace ledger::prometheus
