#pragma once
// The target's route table: which paths exist and what they answer. Each routes_*.cc adds one
// group; server.cc builds the table once and shares it, read-only, between its threads.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "target/library.h"
#include "target/request_store.h"
#include "target/router.h"

namespace arrload::target {

// Server-wide counters, updated by the connection code and read by /__target/stats.
struct Counters {
  std::atomic<std::uint64_t> requests_served{0};  // responses written
  std::atomic<std::int64_t> open_connections{0};  // accepted and not yet closed
};

// What the handlers read and write. Every member outlives the router.
struct TargetState {
  const Library& library;
  RequestStore& requests;
  const Counters& counters;
  std::string started_at;  // ISO time the server started (the "warm-up" time)
};

// Modelled cost of a route before Options::latency_scale, in milliseconds.
inline constexpr double kHealthDelayMs = 2;
inline constexpr double kReadDelayMs = 5;
inline constexpr double kWriteDelayMs = 20;

void add_health_routes(Router& router, TargetState& state);      // /health*, /ping
void add_library_routes(Router& router, TargetState& state);     // shows, movies, downloads
void add_request_routes(Router& router, TargetState& state);     // /api/v1/requests*
void add_diagnostic_routes(Router& router, TargetState& state);  // /__target/*

// Builds the whole table.
Router make_router(TargetState& state);

// V as JSON text the way FastAPI writes it: floats as 12.5 and 72.0, where Boost.JSON would
// write 1.25E1 and 7.2E1.
std::string to_json(const boost::json::value& v);

// A response with STATUS and BODY (already JSON).
Response json_response(int status, std::string body);

// The current UTC time as FastAPI prints datetimes: "2024-06-01T12:00:00.123456".
std::string iso_now();

// 422 in FastAPI's validation-error shape, for one field at LOC ("path"/"body", NAME).
Response validation_error(std::string_view where, std::string_view name, std::string_view type,
                          std::string_view message, std::string_view input);

// Parses a path parameter as FastAPI's int does; nullopt when it is not an integer.
std::optional<long long> parse_int(std::string_view text);

}  // namespace arrload::target
