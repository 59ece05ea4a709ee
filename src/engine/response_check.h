#pragma once
// Whether a response counts as a failure, and the message reports group failures by.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "http/client.h"
#include "scenario/model.h"

namespace arrload::engine {

// True when RESP fails REQ: a transport error, or a status REQ.expect does not allow (Locust's
// default: any status >= 400). MESSAGE is set to the failure message (Locust's wording where
// Locust has one, e.g. "HTTPError('500 Server Error: Internal Server Error for url: /x')"), and
// left untouched on success. PATH is the rendered request path.
bool check_response(const scenario::Request& req, const http::Response& resp, std::string_view path,
                    std::string& message);

// True when BODY fails one of REQ.checks (each JSON path must match, and equal one of its values
// when it lists any); MESSAGE then names the path, the value found and the values expected. RNG
// picks the element for a [*] path.
bool check_body(const scenario::Request& req, std::string_view body, core::Rng& rng,
                std::string& message);

// True when HEADERS (the response fields REQ asked for) fail one of REQ.header_checks; MESSAGE
// then names the header, what was found and what was expected.
bool check_headers(const scenario::Request& req,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   std::string& message);

// True when BODY lacks one of REQ.body_contains or matches none of a REQ.body_matches pattern.
bool check_text(const scenario::Request& req, std::string_view body, std::string& message);

// The value X takes from RESP (its body, or its captured headers); nullopt when there is none,
// and MESSAGE then says so. RNG picks the element for a [*] path.
std::optional<std::string> extract_value(const scenario::Extraction& x, const http::Response& resp,
                                         core::Rng& rng, std::string& message);

// TEXT as a failure message quotes it: at most 60 bytes (then "..."), never cut inside a UTF-8
// sequence, each byte that is not UTF-8 shown as U+FFFD, so that every report stays valid UTF-8
// whatever the target sent.
std::string excerpt(std::string_view text);

// The standard reason phrase of STATUS ("Not Found"), or "" when unknown.
std::string_view reason_phrase(int status);

}  // namespace arrload::engine
