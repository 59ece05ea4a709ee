#include "target/database.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

namespace arrload::target {
namespace {

bool file_exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

TEST(Database, NumbersRequestsAndPagesThemNewestFirst) {
  Database db(":memory:", 42);
  ContentRequest a = db.add_request("Dune", std::nullopt, "t0");
  ContentRequest b = db.add_request("Alien 1979", "u1", "t1");
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(b.id, 2);
  EXPECT_EQ(a.correlation_id.size(), 16u);  // "req_" + 12 hex
  EXPECT_EQ(a.correlation_id.rfind("req_", 0), 0u);
  EXPECT_NE(a.correlation_id, b.correlation_id);
  std::optional<ContentRequest> found = db.find_request(2);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->query, "Alien 1979");
  EXPECT_EQ(found->user_id, "u1");
  EXPECT_EQ(found->classification.year, 1979);
  EXPECT_EQ(found->status, "submitted");
  EXPECT_FALSE(found->completed_at.has_value());
  EXPECT_FALSE(db.find_request(3).has_value());

  for (int i = 0; i < 23; ++i) db.add_request("Film " + std::to_string(i), std::nullopt, "t");
  EXPECT_EQ(db.count_requests(), 25);
  std::vector<ContentRequest> page = db.list_requests(0, 10);
  ASSERT_EQ(page.size(), 10u);
  EXPECT_EQ(page.front().id, 25);
  EXPECT_EQ(db.list_requests(20, 10).size(), 5u);
  EXPECT_EQ(db.list_requests(20, 10).back().id, 1);
}

TEST(Database, FiltersActivity) {
  Database db(":memory:", 1);
  for (int i = 0; i < 6; ++i) {
    ActivityEntry a;
    a.service = i % 2 == 0 ? "sonarr" : "radarr";
    a.activity_type = "download_completed";
    a.severity = i == 5 ? "error" : "info";
    a.message = "m" + std::to_string(i);
    a.timestamp = a.created_at = "t";
    db.add_activity(a);
  }
  EXPECT_EQ(db.count_activity({}), 6);
  EXPECT_EQ(db.count_activity({"sonarr", std::nullopt, std::nullopt}), 3);
  EXPECT_EQ(db.count_activity({"radarr", std::nullopt, "error"}), 1);
  std::vector<ActivityEntry> newest = db.list_activity({}, 0, 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].message, "m5");
  EXPECT_EQ(newest[0].metadata, "{}");
}

TEST(Database, SettingsAndOnboarding) {
  Database db(":memory:", 7);
  std::optional<ServiceSettings> sonarr = db.service_settings("sonarr");
  ASSERT_TRUE(sonarr.has_value());
  EXPECT_EQ(sonarr->url, "http://localhost:8989");
  EXPECT_EQ(sonarr->api_key.size(), 32u);
  EXPECT_FALSE(db.service_settings("nzbget").has_value());
  sonarr->url = "http://tv:8989";
  sonarr->enabled = false;
  db.save_service_settings(*sonarr, "t");
  EXPECT_EQ(db.service_settings("sonarr")->url, "http://tv:8989");
  EXPECT_FALSE(db.service_settings("sonarr")->enabled);
  EXPECT_EQ(db.app_settings().log_level, "INFO");

  EXPECT_EQ(db.onboarding().current_step, "welcome");
  EXPECT_FALSE(db.onboarding().completed);
  db.set_onboarding_step("service_config", "t");
  EXPECT_EQ(db.onboarding().current_step, "service_config");
  db.set_onboarding_step("complete", "t");
  EXPECT_TRUE(db.onboarding().completed);
}

TEST(Database, TemporaryFileIsRemovedAndNamedFileIsKept) {
  std::string temporary;
  {
    Database db("", 1);
    temporary = db.path();
    EXPECT_TRUE(file_exists(temporary)) << temporary;
    db.add_request("Dune", std::nullopt, "t");
  }
  EXPECT_FALSE(file_exists(temporary));

  const std::string kept = temporary + "-kept.db";
  {
    Database db(kept, 1);
    db.add_request("Dune", std::nullopt, "t");
    db.set_onboarding_step("ai_setup", "t");
  }
  {
    Database db(kept, 1);
    EXPECT_EQ(db.count_requests(), 1);
    EXPECT_EQ(db.find_request(1)->query, "Dune");
    EXPECT_EQ(db.onboarding().current_step, "ai_setup");
    EXPECT_NE(db.add_request("Alien", std::nullopt, "t").correlation_id,
              db.find_request(1)->correlation_id);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((kept + suffix).c_str());
}

TEST(Database, BatchesInATransaction) {
  Database db(":memory:", 1);
  db.begin();
  for (int i = 0; i < 100; ++i) db.add_request("x", std::nullopt, "t");
  db.commit();
  EXPECT_EQ(db.count_requests(), 100);
  EXPECT_THROW(db.commit(), sqlite::DbError);  // no transaction open
  db.rollback();                               // harmless without one
}

TEST(Database, UnopenableFileIsAClearError) {
  EXPECT_THROW(Database("/nonexistent-dir/x/y.db", 1), sqlite::DbError);
}

}  // namespace
}  // namespace arrload::target
