#include "target/audit_store.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

namespace arrload::target {
namespace {

struct Advice {
  std::string_view service, category, priority, title, description, current, recommended, impact;
};

// What an audit of a typical *arr installation finds; each audit reports a random subset.
constexpr std::array<Advice, 20> kAdvice{{
    {"sabnzbd", "performance", "high", "Increase article cache",
     "The article cache is too small for the download speed of this server.", "100M", "500M",
     "Fewer disk writes and faster downloads"},
    {"sabnzbd", "performance", "medium", "Enable direct unpack",
     "Unpacking while downloading shortens the time to availability.", "0", "1",
     "Completed downloads available sooner"},
    {"sabnzbd", "security", "high", "Require HTTPS for the web interface",
     "The web interface and API are served over plain HTTP.", "0", "1",
     "API key no longer sent in clear"},
    {"sabnzbd", "best_practices", "low", "Separate incomplete and complete folders",
     "Incomplete downloads share a folder with completed ones.", "/downloads",
     "/downloads/incomplete", "Other tools never pick up partial files"},
    {"sabnzbd", "performance", "low", "Limit connections per server",
     "More connections than the provider allows cause throttling.", "50", "20",
     "Steadier download speed"},
    {"sonarr", "best_practices", "high", "Enable completed download handling",
     "Sonarr does not import finished downloads on its own.", "false", "true",
     "Episodes imported without manual steps"},
    {"sonarr", "performance", "medium", "Lower the RSS sync interval",
     "New releases are found late with the current interval.", "60", "15",
     "Releases grabbed sooner"},
    {"sonarr", "best_practices", "medium", "Use hardlinks instead of copies",
     "Imports copy files, doubling disk use while seeding.", "false", "true",
     "Half the disk space for imported episodes"},
    {"sonarr", "security", "high", "Enable authentication",
     "The Sonarr interface is reachable without a login.", "None", "Forms",
     "No unauthenticated access"},
    {"sonarr", "best_practices", "low", "Enable episode file renaming",
     "Files keep their release names.", "false", "true", "Consistent library naming"},
    {"radarr", "best_practices", "high", "Enable completed download handling",
     "Radarr does not import finished downloads on its own.", "false", "true",
     "Movies imported without manual steps"},
    {"radarr", "performance", "medium", "Enable the minimum availability delay",
     "Radarr searches for movies before any release can exist.", "announced", "released",
     "Fewer useless indexer queries"},
    {"radarr", "best_practices", "medium", "Prefer proper and repack releases",
     "Upgrades to proper releases are disabled.", "doNotPrefer", "preferAndUpgrade",
     "Fixed releases replace broken ones"},
    {"radarr", "security", "high", "Rotate the API key",
     "The API key has not changed since installation.", std::string_view(), "new key",
     "Leaked keys stop working"},
    {"radarr", "performance", "low", "Disable analytics", "Usage data is sent on every start.",
     "true", "false", "Slightly faster start-up"},
    {"plex", "performance", "high", "Enable hardware transcoding",
     "Transcoding runs on the CPU although a GPU is present.", "false", "true",
     "More simultaneous streams"},
    {"plex", "best_practices", "medium", "Schedule scheduled tasks at night",
     "Library maintenance runs during viewing hours.", "02:00-05:00", "03:00-06:00",
     "No buffering during maintenance"},
    {"plex", "performance", "medium", "Move the transcoder temporary directory to RAM",
     "Transcodes write temporary files to the system disk.", "/var/lib/plex", "/dev/shm",
     "Less disk wear, faster transcodes"},
    {"plex", "security", "high", "Require secure connections", "Clients may connect without TLS.",
     "Preferred", "Required", "Streams encrypted"},
    {"plex", "best_practices", "low", "Empty trash automatically after every scan",
     "Removed media stays listed as unavailable.", "false", "true", "A tidier library"},
}};

}  // namespace

std::pair<Audit, std::vector<Recommendation>> AuditStore::run_audit(
    const std::vector<std::string>& services, bool web_search, const std::string& now) {
  std::lock_guard lock(mu_);
  Audit audit{
      fmt::format("audit_{:012x}", rng_() & 0xffffffffffffull), now, services, web_search, {}};
  std::vector<Recommendation> found;
  for (const std::string& service : services) {
    int wanted = 2 + static_cast<int>(rng_() % 4);
    for (const Advice& a : kAdvice) {
      if (a.service != service || wanted == 0) continue;
      if (rng_() % 5 == 0) continue;  // not every advice applies to every installation
      --wanted;
      Recommendation r{next_id_++,
                       std::string(a.service),
                       std::string(a.category),
                       std::string(a.priority),
                       std::string(a.title),
                       std::string(a.description),
                       a.current.empty() ? std::nullopt : std::optional(std::string(a.current)),
                       std::string(a.recommended),
                       std::string(a.impact),
                       web_search ? "web_search" : "best_practices",
                       false,
                       std::nullopt};
      audit.recommendation_ids.push_back(r.id);
      by_id_.emplace(r.id, r);
      found.push_back(std::move(r));
    }
  }
  audits_.push_back(audit);
  if (audits_.size() > kMaxAudits) {
    for (long long id : audits_.front().recommendation_ids) by_id_.erase(id);
    audits_.pop_front();
  }
  return {std::move(audit), std::move(found)};
}

std::vector<Recommendation> AuditStore::recommendations(const RecommendationFilter& filter,
                                                        long long offset, long long limit,
                                                        long long* total) const {
  std::vector<Recommendation> out;
  *total = 0;
  std::lock_guard lock(mu_);
  if (audits_.empty()) return out;
  for (long long id : audits_.back().recommendation_ids) {
    const Recommendation& r = by_id_.at(id);
    if (filter.service && r.service != *filter.service) continue;
    if (filter.priority && r.priority != *filter.priority) continue;
    if (filter.category && r.category != *filter.category) continue;
    if (*total >= offset && *total < offset + limit) out.push_back(r);
    ++*total;
  }
  return out;
}

std::vector<AuditSummary> AuditStore::history(long long offset, long long limit,
                                              long long* total) const {
  std::vector<AuditSummary> out;
  std::lock_guard lock(mu_);
  *total = static_cast<long long>(audits_.size());
  for (long long i = offset; i < *total && i < offset + limit; ++i) {
    const Audit& a = audits_[static_cast<std::size_t>(*total - 1 - i)];
    AuditSummary s{a, 0};
    for (long long id : a.recommendation_ids) s.applied_recommendations += by_id_.at(id).applied;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ApplyResult> AuditStore::apply(const std::vector<long long>& ids, bool dry_run,
                                           const std::string& now) {
  std::vector<ApplyResult> out;
  std::lock_guard lock(mu_);
  for (long long id : ids) {
    ApplyResult result{id, false, "", std::nullopt, std::nullopt, dry_run};
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
      result.message = fmt::format("Recommendation {} not found", id);
    } else {
      Recommendation& r = it->second;
      result.success = true;
      result.service = r.service;
      result.message =
          dry_run ? "Dry run: change validated, not applied" : fmt::format("Applied: {}", r.title);
      if (!dry_run) {
        r.applied = true;
        r.applied_at = now;
        result.applied_at = now;
      }
    }
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace arrload::target
