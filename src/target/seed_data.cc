#include "target/seed_data.h"

#include <array>
#include <ctime>
#include <string_view>

#include <fmt/format.h>

#include "core/rng.h"

namespace arrload::target {
namespace {

constexpr int kActivityEntries = 400;

std::string iso_time(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000000", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

ActivityEntry download_entry(const HistoryItem& h) {
  const bool failed = h.status == "Failed";
  ActivityEntry a;
  a.service = "sabnzbd";
  a.activity_type = failed ? "download_failed" : "download_completed";
  a.severity = failed ? "error" : "info";
  a.message = failed ? fmt::format("Download failed: {} ({})", h.name, h.fail_message)
                     : fmt::format("Download completed: {}", h.name);
  a.metadata =
      fmt::format(R"({{"nzo_id":"{}","bytes":{},"category":"{}"}})", h.nzo_id, h.bytes, h.category);
  a.timestamp = iso_time(h.completed);
  return a;
}

}  // namespace

void seed_activity(Database& db, const Library& library, std::uint64_t seed) {
  if (db.count_activity({}) > 0) return;
  core::Rng rng(seed ^ 0xAC71u);
  static constexpr std::array<std::string_view, 4> kServices{"sonarr", "radarr", "plex", "autoarr"};
  std::int64_t when = 1'717'000'000 - kActivityEntries * 900;
  db.begin();
  for (int i = 0; i < kActivityEntries; ++i) {
    when += 300 + static_cast<std::int64_t>(rng() % 1200);
    ActivityEntry a;
    const std::size_t pick = rng() % 10;
    if (pick < 4 && !library.history().empty()) {
      a = download_entry(library.history()[rng() % library.history().size()]);
    } else {
      a.service = kServices[rng() % kServices.size()];
      const bool warn = rng() % 8 == 0;
      a.activity_type = warn ? "health_check_failed" : "health_check";
      a.severity = warn ? "warning" : "info";
      a.message = warn ? fmt::format("{} responded slowly ({} ms)", a.service, 2000 + rng() % 8000)
                       : fmt::format("{} is healthy", a.service);
      a.metadata = fmt::format(R"({{"latency_ms":{}}})", 5 + rng() % 60);
    }
    a.correlation_id = fmt::format("evt_{:012x}", rng() & 0xffffffffffffull);
    a.timestamp = iso_time(when);
    a.created_at = a.timestamp;
    db.add_activity(a);
  }
  db.commit();
}

void seed_audit(AuditStore& audits, const std::string& started_at) {
  audits.run_audit({"sabnzbd", "sonarr", "radarr", "plex"}, false, started_at);
}

}  // namespace arrload::target
