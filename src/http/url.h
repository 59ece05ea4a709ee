#pragma once
// A parsed base URL: the --host a test targets.
#include <optional>
#include <string>
#include <string_view>

namespace arrload::http {

struct Url {
  bool tls = false;       // https:// or wss://
  std::string host;       // name or address, without brackets for IPv6
  std::string port;       // always set: defaults to 80/443
  std::string base_path;  // path prefix without trailing slash ("" for "http://h:1/")

  // Parses "http://host:port/prefix", "https://...", "ws://", "wss://"; a URL without a scheme
  // ("localhost:8088") is taken as http:// like Locust does. nullopt when unusable.
  static std::optional<Url> parse(std::string_view text);
  // "http://host:port" (with base_path), for messages.
  std::string to_string() const;
  // "host:port" or "host" when the port is the scheme's default, for the Host header.
  std::string host_header() const;
};

}  // namespace arrload::http
