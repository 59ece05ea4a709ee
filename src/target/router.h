#pragma once
// Routing for the embedded AutoArr target, FastAPI-like: method + path pattern ("{param}" matches
// one segment) to a handler; 404 for unknown paths, 405 for a known path with another method,
// 307 to the slash-toggled path when only that one exists (Starlette's redirect_slashes).
//
// Handlers are synchronous and pure: they return a Response that says how long the server should
// wait before sending it, so they are testable without sockets and never block a thread. A handler
// that needs the database returns a Response with a db_job, which the server runs on its database
// thread (see db_worker.h) and whose result it sends instead.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arrload::target {

class Database;

// What kind of work a route does, for the fault knobs (faults.h) and the latency model.
enum class RouteGroup {
  kHealth,    // /health*, /ping
  kRead,      // reads answered from memory, the database or one backend call
  kWrite,     // database writes
  kSlow,      // LLM-backed work taking seconds (config audit, chat)
  kInternal,  // /__target/* and /metrics: never faulted, never logged
};

// A received request as handlers see it. Views into the server's buffers, valid during dispatch.
struct Request {
  std::string_view method;  // "GET", ...
  std::string_view path;    // percent-encoded, without the query
  std::string_view query;   // after '?', without it; "" when absent
  std::string_view body;
  std::string_view client;  // the peer's IP address as text ("127.0.0.1"); "" when unknown
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received
  std::vector<std::pair<std::string_view, std::string_view>> params;   // filled by the router

  // The value of header NAME (case-insensitive); "" when absent.
  std::string_view header(std::string_view name) const;
  // The path parameter NAME of the matched pattern; "" when absent.
  std::string_view param(std::string_view name) const;
  // The decoded value of query parameter NAME; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response;
// Work on the database, run on the database thread; returns the response to send.
using DbJob = std::function<Response(Database&)>;

struct Response {
  int status = 200;
  std::string body;                                          // JSON text (may be empty)
  std::vector<std::pair<std::string, std::string>> headers;  // besides the server-wide ones
  double model_delay_ms = 0;     // the route's modelled cost; scaled by Options::latency_scale
  double fixed_delay_ms = 0;     // an exact wait, not scaled (the diagnostic sleep route)
  bool drop_connection = false;  // close the connection without responding
  RouteGroup group = RouteGroup::kInternal;  // the matched route's group (set by the router)
  // When set, status and body are ignored: the server runs the job on the database thread and
  // sends the response it returns, keeping this one's delays and group.
  DbJob db_job;
  // When set, run on the connection's thread once the response is ready to be written (after
  // its modelled cost): e.g. an event saying the work is done.
  std::function<void()> on_ready;
};

using Handler = std::function<Response(const Request&)>;

// JSON error bodies in FastAPI's form.
Response error_response(int status, std::string_view detail);  // {"detail": DETAIL}

class Router {
 public:
  // Adds a route. METHOD "*" accepts any method. PATTERN is "/a/{name}/b"; a trailing slash is
  // significant. BASE_DELAY_MS becomes the response's model_delay_ms unless the handler set one.
  // Routes are tried in the order added.
  void add(std::string_view method, std::string_view pattern, RouteGroup group,
           double base_delay_ms, Handler handler);
  // The same, in RouteGroup::kInternal.
  void add(std::string_view method, std::string_view pattern, double base_delay_ms,
           Handler handler) {
    add(method, pattern, RouteGroup::kInternal, base_delay_ms, std::move(handler));
  }

  // Called with the matched route's group before its handler; a response it returns is sent
  // instead of running the handler (fault injection). Set before the router is shared.
  using Gate = std::function<std::optional<Response>(RouteGroup, const Request&)>;
  void set_gate(Gate gate) { gate_ = std::move(gate); }

  // Finds the route for REQ, fills REQ.params and runs its handler; or answers 404/405/307.
  Response dispatch(Request& req) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    RouteGroup group;
    double base_delay_ms;
    Handler handler;
  };
  enum class Match { kNone, kPath, kFull };
  static Match match(const Route& route, std::string_view method,
                     const std::vector<std::string_view>& segments);
  bool path_exists(std::string_view path) const;

  std::vector<Route> routes_;
  Gate gate_;
};

}  // namespace arrload::target
