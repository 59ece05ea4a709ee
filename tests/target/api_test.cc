// Every AutoArr route beyond the first ones, over a real socket: status codes, the documented
// fields and their JSON types, validation, rate limits and persistence through the database.
#include <string>

#include <boost/json/serialize.hpp>

#include "target/server_fixture.h"

namespace arrload::target {
namespace {

using namespace testing_support;  // NOLINT(google-build-using-namespace)
namespace json = boost::json;

enum class T { kString, kInt, kNumber, kBool, kArray, kObject, kNullable };

// Checks that V (an object) has every FIELD with its type; kNullable accepts anything.
void expect_fields(const json::value& v, std::initializer_list<std::pair<const char*, T>> fields) {
  ASSERT_TRUE(v.is_object()) << json::serialize(v);
  for (const auto& [name, type] : fields) {
    const json::value* f = v.as_object().if_contains(name);
    ASSERT_NE(f, nullptr) << "missing " << name << " in " << json::serialize(v);
    switch (type) {
      case T::kString:
        EXPECT_TRUE(f->is_string()) << name;
        break;
      case T::kInt:
        EXPECT_TRUE(f->is_int64() || f->is_uint64()) << name;
        break;
      case T::kNumber:
        EXPECT_TRUE(f->is_number()) << name;
        break;
      case T::kBool:
        EXPECT_TRUE(f->is_bool()) << name;
        break;
      case T::kArray:
        EXPECT_TRUE(f->is_array()) << name;
        break;
      case T::kObject:
        EXPECT_TRUE(f->is_object()) << name;
        break;
      case T::kNullable:
        break;
    }
  }
}

using ApiTest = TargetServerTest;

TEST_F(ApiTest, DownloadsHistory) {
  json::value h = get_json("/api/v1/downloads/history?limit=3");
  EXPECT_EQ(h.at("history").as_array().size(), 3u);
  expect_fields(h.at("history").at(0), {{"nzo_id", T::kString},
                                        {"name", T::kString},
                                        {"status", T::kString},
                                        {"completed", T::kInt},
                                        {"bytes", T::kInt},
                                        {"category", T::kString},
                                        {"fail_message", T::kString}});
  EXPECT_TRUE(h.at("total").is_int64() || h.at("total").is_uint64());
  get_json("/api/v1/downloads/history?limit=abc", 422);
  get_json("/api/v1/downloads/history?limit=0", 422);
}

TEST_F(ApiTest, Media) {
  json::value libs = get_json("/api/v1/media/libraries");
  ASSERT_FALSE(libs.at("libraries").as_array().empty());
  expect_fields(
      libs.at("libraries").at(0),
      {{"key", T::kString}, {"title", T::kString}, {"type", T::kString}, {"count", T::kInt}});
  EXPECT_EQ(libs.at("total").to_number<std::size_t>(), libs.at("libraries").as_array().size());
  json::value recent = get_json("/api/v1/media/recently-added?limit=7");
  EXPECT_EQ(recent.at("items").as_array().size(), 7u);
  EXPECT_EQ(recent.at("total"), 7);
  expect_fields(recent.at("items").at(0), {{"title", T::kString}, {"type", T::kString}});
  EXPECT_EQ(get_json("/api/v1/media/recently-added").at("items").as_array().size(), 20u);
  get_json("/api/v1/media/recently-added?limit=x", 422);
}

TEST_F(ApiTest, ActivityIsPaged) {
  json::value a = get_json("/api/v1/activity?page=2&page_size=25");
  EXPECT_EQ(a.at("items").as_array().size(), 25u);
  expect_fields(a, {{"page", T::kInt},
                    {"page_size", T::kInt},
                    {"total_items", T::kInt},
                    {"total_pages", T::kInt},
                    {"has_next", T::kBool},
                    {"has_previous", T::kBool}});
  EXPECT_EQ(a.at("has_previous"), true);
  EXPECT_GE(a.at("total_items").to_number<long long>(), 100);
  expect_fields(a.at("items").at(0), {{"id", T::kInt},
                                      {"service", T::kString},
                                      {"activity_type", T::kString},
                                      {"severity", T::kString},
                                      {"message", T::kString},
                                      {"correlation_id", T::kNullable},
                                      {"metadata", T::kObject},
                                      {"timestamp", T::kString},
                                      {"created_at", T::kString},
                                      {"user_id", T::kNullable}});
  EXPECT_EQ(get_json("/api/v1/activity").at("page_size"), 50);
  get_json("/api/v1/activity?page_size=101", 422);
  get_json("/api/v1/activity?page=0", 422);
  json::value sab = get_json("/api/v1/activity?service=sabnzbd&page_size=100");
  for (const json::value& item : sab.at("items").as_array())
    EXPECT_EQ(item.at("service"), "sabnzbd");
}

TEST_F(ApiTest, LogsHoldTwoLinesPerRequest) {
  for (int i = 0; i < 5; ++i) get_json("/ping");
  json::value logs = get_json("/api/v1/logs?limit=500");
  expect_fields(logs,
                {{"logs", T::kArray}, {"total_in_buffer", T::kInt}, {"returned_count", T::kInt}});
  EXPECT_GE(logs.at("total_in_buffer").to_number<int>(), 11);  // 5 x 2 + this request's start
  expect_fields(logs.at("logs").at(0), {{"timestamp", T::kString},
                                        {"level", T::kString},
                                        {"logger_name", T::kString},
                                        {"message", T::kString},
                                        {"request_id", T::kString}});
  EXPECT_EQ(get_json("/api/v1/logs?limit=3").at("returned_count"), 3);
  get_json("/api/v1/logs?limit=501", 422);
}

TEST_F(ApiTest, Settings) {
  json::value all = get_json("/api/v1/settings");
  for (const char* service : {"sabnzbd", "sonarr", "radarr", "plex"}) {
    expect_fields(all.at(service), {{"enabled", T::kBool},
                                    {"url", T::kString},
                                    {"api_key_masked", T::kString},
                                    {"timeout", T::kNumber},
                                    {"status", T::kString},
                                    {"last_check", T::kNullable}});
    const std::string masked(all.at(service).at("api_key_masked").as_string());
    EXPECT_EQ(masked.size(), 11u) << masked;  // 4 + "..." + 4
    EXPECT_EQ(masked.substr(4, 3), "...");
  }
  expect_fields(get_json("/api/v1/settings/app"),
                {{"log_level", T::kString}, {"timezone", T::kString}, {"debug_mode", T::kBool}});
  EXPECT_EQ(get_json("/api/v1/settings/radarr").at("url"), "http://localhost:7878");
  get_json("/api/v1/settings/nzbget", 404);

  json::value saved =
      call_json("PUT", "/api/v1/settings/sonarr",
                R"({"url":"http://tv:8989","api_key_or_token":"abcd1234efgh5678"})");
  EXPECT_EQ(saved.at("success"), true);
  json::value sonarr = get_json("/api/v1/settings/sonarr");
  EXPECT_EQ(sonarr.at("url"), "http://tv:8989");
  EXPECT_EQ(sonarr.at("api_key_masked"), "abcd...5678");
  call_json("PUT", "/api/v1/settings/sonarr", R"({"url":"http://x"})", 422);
  call_json("PUT", "/api/v1/settings/sonarr", R"({"url":"u","api_key_or_token":"k","timeout":0})",
            422);
  call_json("PUT", "/api/v1/settings/nzbget", R"({"url":"u","api_key_or_token":"k"})", 404);
}

TEST_F(ApiTest, SettingsTestIsAlways200) {
  json::value ok = call_json("POST", "/api/v1/settings/test/sabnzbd",
                             R"({"url":"http://sab:8080","api_key_or_token":"k","timeout":5})");
  expect_fields(ok, {{"success", T::kBool}, {"message", T::kString}, {"details", T::kObject}});
  EXPECT_EQ(ok.at("success"), true);
  EXPECT_TRUE(ok.at("details").at("version").is_string());
  json::value bad =
      call_json("POST", "/api/v1/settings/test/plex", R"({"url":"nope","api_key_or_token":""})");
  EXPECT_EQ(bad.at("success"), false);
  EXPECT_EQ(call_json("POST", "/api/v1/settings/test/nzbget",
                      R"({"url":"http://x:1","api_key_or_token":"k"})")
                .at("success"),
            false);
  call_json("POST", "/api/v1/settings/test/plex", R"({"url":"http://x"})", 422);
}

TEST_F(ApiTest, Onboarding) {
  json::value s = get_json("/api/v1/onboarding/status");
  expect_fields(s, {{"completed", T::kBool},
                    {"current_step", T::kString},
                    {"skipped_steps", T::kArray},
                    {"ai_configured", T::kBool},
                    {"services_configured", T::kArray},
                    {"banner_dismissed", T::kBool},
                    {"needs_onboarding", T::kBool}});
  EXPECT_EQ(s.at("needs_onboarding"), true);
  json::value put = call_json("PUT", "/api/v1/onboarding/step", R"({"step":"ai_setup"})");
  expect_fields(put, {{"success", T::kBool}, {"message", T::kString}});
  EXPECT_EQ(get_json("/api/v1/onboarding/status").at("current_step"), "ai_setup");
  json::value bad = call_json("PUT", "/api/v1/onboarding/step", R"({"step":"dance"})", 422);
  EXPECT_EQ(bad.at("detail").at(0).at("loc").at(1), "step");
  call_json("PUT", "/api/v1/onboarding/step", R"({})", 422);
  call_json("PUT", "/api/v1/onboarding/step", R"({"step":"complete"})");
  EXPECT_EQ(get_json("/api/v1/onboarding/status").at("completed"), true);
}

TEST_F(ApiTest, ConfigAudit) {
  json::value a = call_json("POST", "/api/v1/config/audit",
                            R"({"services":["sabnzbd","plex"],"include_web_search":false})");
  expect_fields(a, {{"audit_id", T::kString},
                    {"timestamp", T::kString},
                    {"services", T::kArray},
                    {"recommendations", T::kArray},
                    {"total_recommendations", T::kInt},
                    {"web_search_used", T::kBool}});
  const std::string id(a.at("audit_id").as_string());
  ASSERT_EQ(id.size(), 18u);  // "audit_" + 12 hex
  EXPECT_EQ(id.substr(0, 6), "audit_");
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 6), std::string::npos);
  ASSERT_FALSE(a.at("recommendations").as_array().empty());
  expect_fields(a.at("recommendations").at(0), {{"id", T::kInt},
                                                {"service", T::kString},
                                                {"category", T::kString},
                                                {"priority", T::kString},
                                                {"title", T::kString},
                                                {"description", T::kString},
                                                {"current_value", T::kNullable},
                                                {"recommended_value", T::kString},
                                                {"impact", T::kString},
                                                {"source", T::kNullable},
                                                {"applied", T::kBool},
                                                {"applied_at", T::kNullable}});
  call_json("POST", "/api/v1/config/audit", R"({"services":["nzbget"]})", 400);
  call_json("POST", "/api/v1/config/audit", R"({"services":[]})", 422);
  call_json("POST", "/api/v1/config/audit", R"({})", 422);

  json::value recs = get_json("/api/v1/config/recommendations?page=1&page_size=2");
  expect_fields(recs, {{"recommendations", T::kArray},
                       {"total", T::kInt},
                       {"page", T::kInt},
                       {"page_size", T::kInt}});
  EXPECT_LE(recs.at("recommendations").as_array().size(), 2u);
  EXPECT_EQ(recs.at("total"), a.at("total_recommendations"));
  json::value history = get_json("/api/v1/config/audit/history?page_size=5");
  EXPECT_EQ(history.at("total"), 2);  // the seeded audit and this one
  expect_fields(history.at("audits").at(0), {{"audit_id", T::kString},
                                             {"timestamp", T::kString},
                                             {"services", T::kArray},
                                             {"total_recommendations", T::kInt},
                                             {"applied_recommendations", T::kInt},
                                             {"web_search_used", T::kBool}});
  EXPECT_EQ(history.at("audits").at(0).at("audit_id"), a.at("audit_id"));
  get_json("/api/v1/config/audit/history?page_size=101", 422);

  const std::string rec_id = std::to_string(a.at("recommendations").at(0).at("id").as_int64());
  json::value applied = call_json("POST", "/api/v1/config/apply",
                                  R"({"recommendation_ids":[)" + rec_id + ",999999]}");
  EXPECT_EQ(applied.at("total_successful"), 1);
  EXPECT_EQ(applied.at("total_failed"), 1);
}

TEST_F(ApiTest, AuditIsRateLimitedAtTwentyPerMinute) {
  for (int i = 0; i < 20; ++i) {
    call_json("POST", "/api/v1/config/audit", R"({"services":["sonarr"]})", 200);
  }
  json::value limited =
      call_json("POST", "/api/v1/config/audit", R"({"services":["sonarr"]})", 429);
  EXPECT_EQ(std::string(limited.at("detail").as_string()).rfind("Rate limit exceeded: ", 0), 0u);
  get_json("/api/v1/config/audit/history");  // its own limit, not the audit's
}

TEST_F(ApiTest, Chat) {
  json::value c = call_json("POST", "/api/v1/chat/message", R"({"message":"Is Sonarr healthy?"})");
  expect_fields(c, {{"message", T::kString},
                    {"topic", T::kString},
                    {"intent", T::kString},
                    {"sources", T::kArray},
                    {"suggestions", T::kArray},
                    {"confidence", T::kNumber},
                    {"is_content_request", T::kBool},
                    {"service_required", T::kNullable},
                    {"setup_link", T::kNullable}});
  EXPECT_EQ(call_json("POST", "/api/v1/chat/message", R"({"message":"add The Matrix 1999"})")
                .at("is_content_request"),
            true);
  call_json("POST", "/api/v1/chat/message", R"({"message":""})", 422);
  call_json("POST", "/api/v1/chat/message", R"({"message":")" + std::string(2001, 'a') + "\"}",
            422);
  call_json("POST", "/api/v1/chat/message", R"({"message":")" + std::string(2000, 'a') + "\"}");
}

TEST_F(ApiTest, ContentRequestPersistsAndIsListed) {
  json::value created =
      call_json("POST", "/api/v1/requests/content", R"({"query":"Severance season 2"})", 201);
  const long long id = created.at("id").as_int64();
  json::value status = get_json("/api/v1/requests/" + std::to_string(id) + "/status");
  EXPECT_EQ(status.at("correlation_id"), created.at("correlation_id"));
  json::value list = get_json("/api/v1/requests?page=1&page_size=10");
  expect_fields(
      list,
      {{"requests", T::kArray}, {"total", T::kInt}, {"page", T::kInt}, {"page_size", T::kInt}});
  EXPECT_EQ(list.at("total"), 1);
  expect_fields(list.at("requests").at(0), {{"id", T::kInt},
                                            {"correlation_id", T::kString},
                                            {"status", T::kString},
                                            {"external_id", T::kNullable},
                                            {"created_at", T::kString},
                                            {"updated_at", T::kString},
                                            {"completed_at", T::kNullable}});
  EXPECT_EQ(list.at("requests").at(0).at("id"), id);
  // The request is logged as activity too.
  json::value activity = get_json("/api/v1/activity?activity_type=content_requested");
  EXPECT_EQ(activity.at("total_items"), 1);
  get_json("/api/v1/requests?page_size=0", 422);
}

}  // namespace
}  // namespace arrload::target
