#pragma once
// The target's route table: which paths exist and what they answer. Each routes_*.cc adds one
// group; server.cc builds the table once and shares it, read-only, between its threads.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "target/audit_store.h"
#include "target/downloads.h"
#include "target/faults.h"
#include "target/library.h"
#include "target/log_buffer.h"
#include "target/router.h"
#include "target/ws_hub.h"

namespace arrload::target {

// Server-wide counters, updated by the connection code and read by /__target/stats.
struct Counters {
  std::atomic<std::uint64_t> requests_served{0};             // responses written
  std::atomic<std::int64_t> open_connections{0};             // accepted and not yet closed
  std::atomic<std::int64_t> websocket_connections{0};        // of those, upgraded to WebSocket
  std::atomic<std::uint64_t> websocket_dropped_messages{0};  // dropped from full client queues
  std::array<std::atomic<std::uint64_t>, 6> by_class{};      // responses written, by status / 100
};

// What the handlers read and write besides the database (which they reach through db_jobs).
// Every member outlives the router.
struct TargetState {
  const Library& library;
  AuditStore& audits;
  LogBuffer& logs;
  const Counters& counters;
  Faults& faults;
  Hub& events;               // the clients of /api/v1/ws
  DownloadQueue& downloads;  // the moving SABnzbd queue
  bool admin = false;        // serve /__target/faults (Options::admin); else it is 404
};

// Modelled cost of a route before Options::latency_scale, in milliseconds. Audits and chat
// draw theirs (latency_model.h).
inline constexpr double kHealthDelayMs = 2;
inline constexpr double kReadDelayMs = 5;
inline constexpr double kWriteDelayMs = 20;
inline constexpr double kOutboundDelayMs = 80;  // a connection test to a backend

void add_health_routes(Router& router, TargetState& state);      // /health*, /ping
void add_library_routes(Router& router, TargetState& state);     // shows, movies, downloads
void add_media_routes(Router& router, TargetState& state);       // /api/v1/media/*
void add_request_routes(Router& router, TargetState& state);     // /api/v1/requests*
void add_activity_routes(Router& router, TargetState& state);    // /api/v1/activity, /logs
void add_settings_routes(Router& router, TargetState& state);    // settings, onboarding
void add_config_routes(Router& router, TargetState& state);      // /api/v1/config/*
void add_chat_routes(Router& router, TargetState& state);        // /api/v1/chat/*
void add_diagnostic_routes(Router& router, TargetState& state);  // /__target/*
// /metrics always; /__target/faults only when state.admin.
void add_admin_routes(Router& router, TargetState& state);

// Builds the whole table.
Router make_router(TargetState& state);

// V as JSON text the way FastAPI writes it: floats as 12.5 and 72.0, where Boost.JSON would
// write 1.25E1 and 7.2E1.
std::string to_json(const boost::json::value& v);

// A response with STATUS and BODY (already JSON).
Response json_response(int status, std::string body);

// The current UTC time as FastAPI prints datetimes: "2024-06-01T12:00:00.123456".
std::string iso_now();
// TIME in the same format.
std::string iso_time(std::chrono::system_clock::time_point time);

// 422 in FastAPI's validation-error shape, for one field at LOC ("path"/"body", NAME).
Response validation_error(std::string_view where, std::string_view name, std::string_view type,
                          std::string_view message, std::string_view input);

// Parses a path parameter as FastAPI's int does; nullopt when it is not an integer.
std::optional<long long> parse_int(std::string_view text);

// Reads integer query parameter NAME (DEFAULT_VALUE when absent) into *OUT; the 422 FastAPI
// sends when it is not an integer or outside [LO, HI].
std::optional<Response> read_int_query(const Request& req, std::string_view name,
                                       long long default_value, long long lo, long long hi,
                                       long long* out);

// ?page= (>= 1, default 1) and ?page_size= (1..MAX_SIZE, default DEFAULT_SIZE).
struct Paging {
  long long page = 1;
  long long page_size = 10;
  long long offset() const { return (page - 1) * page_size; }
};
std::optional<Response> read_paging(const Request& req, long long default_size, long long max_size,
                                    Paging* out);

// The body as a JSON object into *OUT; else what FastAPI sends: 400 "There was an error parsing
// the body" when it is not UTF-8, 422 json_invalid (loc ["body", offset], input {}) when it is
// not JSON, 422 model_attributes_type when it is not an object.
std::optional<Response> read_json_object(const Request& req, boost::json::object* out);

// Reads the required string field NAME of the body object OBJ into *OUT; the 422 FastAPI sends
// when it is missing or not a string.
std::optional<Response> read_string_field(const Request& req, const boost::json::object& obj,
                                          std::string_view name, std::string* out);

// The 500 an unexpected failure gets: {error, detail, timestamp, path}, as AutoArr's handler.
Response internal_error(std::string_view detail, std::string_view path);

// Runs JOB on DB; a database failure becomes internal_error. Never throws.
Response run_db_job(const DbJob& job, Database& db) noexcept;

// An API key as AutoArr shows it: first 4 + "..." + last 4; "****" when shorter than 8.
std::string mask_key(std::string_view key);

// Whether TEXT is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), as Python's strict decoder requires.
bool is_valid_utf8(std::string_view text);

// The number of characters (code points) in UTF-8 TEXT, as pydantic counts a string's length.
std::size_t utf8_length(std::string_view text);

}  // namespace arrload::target
