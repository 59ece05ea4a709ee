#include "monitor/memory.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "monitor/monitor_fixture.h"

namespace arrload::monitor {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kTargetMetrics[] =
    "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
    "# TYPE process_resident_memory_bytes gauge\n"
    "process_resident_memory_bytes 52338688\n"
    "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
    "# TYPE process_virtual_memory_bytes gauge\n"
    "process_virtual_memory_bytes 1.084866560e+09\n"
    "http_requests_total{status=\"2xx\"} 17\n";

TEST(PrometheusTextTest, FindsTheTargetsRss) {
  EXPECT_EQ(find_metric_value(kTargetMetrics, "process_resident_memory_bytes"), 52338688.0);
  EXPECT_EQ(find_metric_value(kTargetMetrics, "process_virtual_memory_bytes"), 1.08486656e9);
  EXPECT_EQ(find_metric_value(kTargetMetrics, "http_requests_total"), 17.0);
  MemoryReading r = parse_rss_metric(kTargetMetrics);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.rss_bytes, 52338688u);
}

TEST(PrometheusTextTest, ToleratesLabelsNotationTimestampsAndCrlf) {
  EXPECT_EQ(find_metric_value("process_resident_memory_bytes 1.23e+08\n",
                              "process_resident_memory_bytes"),
            1.23e8);
  EXPECT_EQ(find_metric_value("process_resident_memory_bytes{pid=\"1\",app=\"a}b\\\"c\"} 5E3 "
                              "1700000000000\r\n",
                              "process_resident_memory_bytes"),
            5000.0);
  EXPECT_EQ(find_metric_value("  process_resident_memory_bytes\t42\r\n# EOF\r\n",
                              "process_resident_memory_bytes"),
            42.0);
  EXPECT_EQ(find_metric_value("# process_resident_memory_bytes 1\nx 2", "x"), 2.0);
  EXPECT_TRUE(std::isinf(*find_metric_value("x +Inf", "x")));
  EXPECT_TRUE(std::isnan(*find_metric_value("x NaN", "x")));
}

TEST(PrometheusTextTest, MatchesWholeNamesOnly) {
  const char* text =
      "process_resident_memory_bytes_total 1\n"
      "my_process_resident_memory_bytes 2\n"
      "process_resident_memory_bytes 3\n";
  EXPECT_EQ(find_metric_value(text, "process_resident_memory_bytes"), 3.0);
  EXPECT_EQ(
      find_metric_value("process_resident_memory_bytesx 1\n", "process_resident_memory_bytes"),
      std::nullopt);
}

TEST(PrometheusTextTest, MissingOrBadValues) {
  EXPECT_EQ(find_metric_value("", "x"), std::nullopt);
  EXPECT_EQ(find_metric_value("x\n", "x"), std::nullopt);
  EXPECT_EQ(find_metric_value("x abc\n", "x"), std::nullopt);
  EXPECT_EQ(find_metric_value("x{a=\"1\" 3\n", "x"), std::nullopt);  // unterminated labels
  MemoryReading missing = parse_rss_metric("up 1\n");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error, "no process_resident_memory_bytes sample in the metrics");
  EXPECT_FALSE(parse_rss_metric("process_resident_memory_bytes -5\n").ok);
  EXPECT_FALSE(parse_rss_metric("process_resident_memory_bytes +Inf\n").ok);
}

TEST(PidSourceTest, ReadsThisProcess) {
  MemoryReading r = read_pid_rss(::getpid());
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_GT(r.rss_bytes, 1u << 20);
  auto source = make_pid_source(::getpid());
  EXPECT_TRUE(source->read().ok);
  EXPECT_EQ(source->description(), "pid " + std::to_string(::getpid()));
}

TEST(PidSourceTest, NoSuchProcessIsAClearError) {
  long pid_max = 4194304;  // the kernel's upper bound; no pid is above pid_max
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  const int missing = static_cast<int>(pid_max + 1);
  try {
    make_pid_source(missing);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "target pid " + std::to_string(missing) + ": no such process");
  }
  EXPECT_THROW(make_pid_source(0), std::invalid_argument);
  EXPECT_THROW(make_pid_source(-1), std::invalid_argument);
  MemoryReading r = read_pid_rss(missing);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("has exited"), std::string::npos) << r.error;
}

using MetricsSourceTest = testing_support::MonitorTargetTest;

TEST_F(MetricsSourceTest, ReadsTheTargetsMetrics) {
  auto source = make_metrics_source(url("/metrics"), 2s);
  EXPECT_EQ(source->description(), url("/metrics"));
  MemoryReading r = source->read();
  ASSERT_TRUE(r.ok) << r.error;
  // The target runs in this process, so its RSS is this process's.
  const double own = static_cast<double>(read_pid_rss(::getpid()).rss_bytes);
  EXPECT_NEAR(static_cast<double>(r.rss_bytes), own, own * 0.25);
}

TEST_F(MetricsSourceTest, FailuresAreReadingsNotExceptions) {
  MemoryReading not_found = make_metrics_source(url("/no-metrics"), 2s)->read();
  EXPECT_FALSE(not_found.ok);
  EXPECT_EQ(not_found.error, "status 404 from " + url("/no-metrics"));
  MemoryReading no_metric = make_metrics_source(url("/health"), 2s)->read();
  EXPECT_FALSE(no_metric.ok);
  EXPECT_EQ(no_metric.error, "no process_resident_memory_bytes sample in the metrics");
  const std::string closed =
      "http://127.0.0.1:" + std::to_string(testing_support::closed_port()) + "/metrics";
  MemoryReading refused = make_metrics_source(closed, 2s)->read();
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("ConnectionRefusedError"), std::string::npos) << refused.error;
  MemoryReading slow = make_metrics_source(url("/__target/sleep/1000"), 100ms)->read();
  EXPECT_EQ(slow.error, "timed out after 100 ms");
}

TEST(MetricsSourceUrlTest, InvalidUrlThrows) {
  EXPECT_THROW(make_metrics_source("htp://x/metrics"), std::invalid_argument);
  EXPECT_NO_THROW(make_metrics_source("localhost:9/metrics"));  // no scheme: http
}

// Every other reading fails; readings count.
class FlakySource : public MemorySource {
 public:
  MemoryReading read() override {
    const int n = reads_++;
    MemoryReading r;
    if (n % 2 == 1) {
      r.error = "boom " + std::to_string(n);
    } else {
      r.ok = true;
      r.rss_bytes = (100u + static_cast<unsigned>(n)) << 20;
    }
    return r;
  }
  std::string description() const override { return "flaky"; }

 private:
  std::atomic<int> reads_{0};
};

TEST(MemorySamplerTest, SamplesOnScheduleAndRecordsFailures) {
  MemorySampler sampler(std::make_unique<FlakySource>(), 20ms);
  const double wall_start = core::wall_unix_seconds();
  sampler.start();
  std::this_thread::sleep_for(250ms);
  sampler.stop();
  const std::vector<MemorySample> samples = sampler.samples();
  ASSERT_GE(samples.size(), 6u);
  EXPECT_LE(samples.size(), 14u);
  EXPECT_EQ(samples[0].t_seconds < 0.05, true);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(samples[i].ok, i % 2 == 0) << i;
    EXPECT_EQ(samples[i].rss_bytes, i % 2 == 0 ? (100u + i) << 20 : 0u) << i;
    EXPECT_NEAR(samples[i].unix_seconds, wall_start + samples[i].t_seconds, 1.0);
    if (i > 0) {
      EXPECT_GT(samples[i].t_seconds, samples[i - 1].t_seconds);
    }
  }
  EXPECT_EQ(sampler.failures(), static_cast<int>(samples.size() / 2));
  EXPECT_EQ(sampler.last_error().rfind("boom ", 0), 0u);
  EXPECT_EQ(sampler.samples().size(), samples.size());  // nothing after stop()
}

TEST(MemorySamplerTest, StopDoesNotWaitForTheNextTick) {
  MemorySampler sampler(std::make_unique<FlakySource>(), 10s);
  sampler.start();
  std::this_thread::sleep_for(50ms);
  const auto start = Clock::now();
  sampler.stop();
  sampler.stop();  // idempotent
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_EQ(sampler.samples().size(), 1u);
}

TEST(MemoryCsvTest, LocustStyleColumns) {
  std::vector<MemorySample> samples(2);
  samples[0] = {0.0004, 52338688, true, 1764232559.9};
  samples[1] = {1.0012, 0, false, 1764232560.9};
  EXPECT_EQ(memory_csv(samples),
            "Timestamp,Elapsed Seconds,RSS Bytes,RSS MiB\n"
            "1764232559,0.000,52338688,49.91\n"
            "1764232560,1.001,N/A,N/A\n");
  EXPECT_EQ(target_memory_csv_path("out/run1"), "out/run1_target_memory.csv");
}

TEST(MemoryCsvTest, WritesTheFile) {
  MemorySampler sampler(std::make_unique<FlakySource>(), 10s);
  sampler.start();
  sampler.stop();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("arrload_monitor_" + std::to_string(::getpid())))
          .string();
  std::string error;
  ASSERT_TRUE(sampler.write_csv(target_memory_csv_path(path), &error)) << error;
  std::ifstream in(target_memory_csv_path(path));
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), memory_csv(sampler.samples()));
  std::filesystem::remove(target_memory_csv_path(path));
  EXPECT_FALSE(sampler.write_csv("/nonexistent-dir/x.csv", &error));
  EXPECT_EQ(error, "cannot write /nonexistent-dir/x.csv: No such file or directory");
}

}  // namespace
}  // namespace arrload::monitor
