#pragma once
// Escaping of text placed inside a JSON string or a URL query string. Shared by the template
// parser (literal text, escaped once at load) and Template::render (values, escaped per request).
#include <string>
#include <string_view>

namespace arrload::scenario {

// Appends TEXT to OUT as the content of a JSON string (without the surrounding quotes).
void append_json_escaped(std::string_view text, std::string& out);

// Appends TEXT to OUT percent-encoded: everything except A-Z a-z 0-9 - . _ ~ becomes %XX, so the
// result is safe as a query-string key or value (a space becomes %20).
void append_url_encoded(std::string_view text, std::string& out);

}  // namespace arrload::scenario
