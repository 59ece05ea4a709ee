#pragma once
// HTTP/1.1 request serialization for Session. Internal to http/; no I/O.
#include <string>
#include <string_view>

#include "http/client.h"

namespace arrload::http {

// What a hop of a request adds to REQ's own headers.
struct HopHeaders {
  std::string_view cookie;    // the jar's Cookie value; "" = none
  bool other_origin = false;  // a redirect to another host: REQ's Host and Authorization dropped
};

// Writes the request line and headers of REQ (everything before the body) into OUT, replacing
// its contents but keeping its capacity. The request target is BASE_PATH + REQ.target ("/" when
// both are empty). Defaults for Host (HOST_HEADER), User-Agent, Content-Type, Accept-Encoding
// (kAcceptEncoding) and Cookie (HOP.cookie) give way to a header of the same name in
// REQ.headers; Content-Length is always computed from REQ.body.
void write_request_head(const Request& req, std::string_view base_path,
                        std::string_view host_header, std::string& out, const HopHeaders& hop = {});

}  // namespace arrload::http
