#pragma once
// Masking secrets in text that arrload writes: endpoint names, failure and exception messages,
// log lines, the host shown in reports. One function, applied where such text is made (the stats
// shard for request names and failure messages, the exception log, log_line, the host of the
// reports and the web UI), so every report, log, web UI row and cluster message carries the
// masked text. docs/reliability.md, "Security defaults", lists the names and the rules.
#include <string>
#include <string_view>

namespace arrload::core {

// What a secret is replaced with.
inline constexpr std::string_view kMask = "***";

// Whether NAME (a header, query parameter, cookie or JSON key; any case, '-' and '_' alike)
// names a secret: one of authorization, proxy-authorization, cookie, set-cookie, x-api-key, key,
// sig, auth, pwd, pass, jwt, sid, session, sessionid; or a name containing token, secret, passw,
// apikey, api_key, access_key, private_key, signature, credential, cookie or authorization.
bool is_secret_name(std::string_view name);

// Masks, in TEXT:
//   NAME=VALUE          (query strings, forms, cookies) the value up to & ; # space or a quote;
//   NAME: VALUE, "NAME": "VALUE"   (headers, JSON) the value: a quoted one up to its closing
//                       quote; unquoted, for Authorization, Proxy-Authorization, Cookie and
//                       Set-Cookie the rest of the line, for another header-like NAME (with a
//                       '-', without a '.': X-Api-Key) up to a space , ; & or quote, and for
//                       other names (token: ...) nothing;
//   SCHEME://USER:PASSWORD@   the password of a URL;
//   Bearer TOKEN, Basic TOKEN  the token (4+ characters, not a lower-case word);
// where NAME is_secret_name. Returns false, leaving OUT as it was, when TEXT shows no secret (the
// common case, which allocates nothing); else sets OUT to the masked text and returns true.
bool redact_into(std::string_view text, std::string& out);

// TEXT with its secrets masked (as redact_into).
std::string redact(std::string_view text);

// Whether TEXT may need redact_into at all: a cheap test (no '=', ':', '@' or space means no
// secret can show) for the request path, where names are checked on every request.
bool may_show_secret(std::string_view text);

}  // namespace arrload::core
