#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/ (the rest of each corpus is what the fuzzers found).

Usage: fuzz/seeds.py   (from the repository root; overwrites seed files of the same name)
Standard library only; brotli bodies through libbrotlienc (ctypes), MessagePack by hand.
Not written here: scenario_loader (copies of scenarios/autoarr/*.yaml and
tests/data/scenario/complete.yaml, and small.yaml), template and budget (short texts, by hand),
and stats_codec (delta, lean, snapshot: encode_delta / encode_snapshot of a few recorded
requests, from a one-off program linked with the library).
"""
import ctypes
import gzip
import json
import os
import struct
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def brotli(data):
    lib = ctypes.CDLL("libbrotlienc.so.1")
    out = ctypes.create_string_buffer(len(data) + 1024)
    size = ctypes.c_size_t(len(out))
    ok = lib.BrotliEncoderCompress(11, 22, 0, ctypes.c_size_t(len(data)), data,
                                   ctypes.byref(size), out)
    assert ok
    return out.raw[:size.value]


def pack(v):
    """MessagePack as Python's msgpack packs by default (str as str, bytes as bin)."""
    if v is None:
        return b"\xc0"
    if v is True or v is False:
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack("b", v)
        return b"\xd3" + struct.pack(">q", v) if v < 0 else b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return (bytes([0xa0 | len(b)]) if len(b) < 32 else b"\xd9" + bytes([len(b)])) + b
    if isinstance(v, bytes):
        return b"\xc4" + bytes([len(v)]) + v
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b"".join(pack(x) for x in v)
    if isinstance(v, dict):
        return bytes([0x80 | len(v)]) + b"".join(pack(k) + pack(x) for k, x in v.items())
    raise TypeError(v)


def http_response():
    body = json.dumps({"series": [{"id": 1, "title": "Severance"}]}).encode()
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    plain = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
    chunked = (f"{head}Transfer-Encoding: chunked\r\n\r\n".encode() + b"%x;ext=1\r\n" % 10 +
               body[:10] + b"\r\n" + b"%x\r\n" % (len(body) - 10) + body[10:] + b"\r\n0\r\n"
               b"Trailer: x\r\n\r\n")
    seeds = {
        "plain": (0x01, plain + plain),
        "chunked": (0x09, chunked),
        "to_eof": (0x01, b"HTTP/1.0 200 OK\r\n\r\n" + body),
        "head": (0x05, f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()),
        "redirect": (0x03, b"HTTP/1.1 302 Found\r\nLocation: ../other?x=1#frag\r\n"
                     b"Set-Cookie: sid=abc; Path=/; Max-Age=60; HttpOnly\r\n"
                     b"Set-Cookie: d=1; Domain=example.test; Expires=Wed, 21 Oct 2037 07:28:00 GMT; "
                     b"Secure\r\nContent-Length: 0\r\n\r\n"),
        "no_content": (0x00, b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n"),
    }
    for name, data in (("gzip", gzip.compress(body)), ("deflate", zlib.compress(body)),
                       ("raw_deflate", zlib.compress(body)[2:-4]), ("br", brotli(body))):
        coding = "deflate" if name == "raw_deflate" else name
        seeds[name] = (0x11, f"{head}Content-Encoding: {coding}\r\nContent-Length: {len(data)}"
                       "\r\n\r\n".encode() + data)
        seeds[name + "_chunked"] = (0x19, f"{head}Content-Encoding: {coding}\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n".encode() +
                                    b"%x\r\n" % len(data) + data + b"\r\n0\r\n\r\n")
    for name, (options, data) in seeds.items():
        write("http_response", name, bytes([options]) + data)


def frame(opcode, payload, fin=True, mask=None):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    m = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes([b0, m | n])
    elif n < 65536:
        head = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask is not None:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        head += bytes(mask)
    return head + payload


def ws_frames():
    event = json.dumps({"type": "event", "event_type": "download_completed",
                        "timestamp": "2026-11-27T08:15:59.123456+01:00", "data": {}}).encode()
    write("ws_frames", "event", frame(1, event))
    write("ws_frames", "connection", frame(1, b'{"type":"connection","timestamp":1764230159.5}'))
    write("ws_frames", "fragmented", frame(1, event[:10], fin=False) + frame(9, b"ping") +
          frame(0, event[10:]))
    write("ws_frames", "binary_ping_close", frame(2, b"\x00\xff") + frame(9, b"") +
          frame(8, struct.pack(">H", 1000) + b"bye"))
    write("ws_frames", "long", frame(1, b'{"type":"log","message":"' + b"x" * 300 + b'"}'))
    write("ws_frames", "masked", frame(1, b'{"type":"x"}', mask=[1, 2, 3, 4]))


def cluster_message():
    entry = {"name": "/api/v1/shows/", "method": "GET", "last_request_timestamp": 1.7e9,
             "start_time": 1.7e9 - 3, "num_requests": 3, "num_none_requests": 0,
             "num_failures": 1, "total_response_time": 42.5, "max_response_time": 30,
             "min_response_time": 2, "total_content_length": 1200,
             "response_times": {2: 1, 10: 1, 30: 1, 150.0: 0},
             "num_reqs_per_sec": {1700000000: 3}, "num_fail_per_sec": {1700000000: 1}}
    total = dict(entry, name="Aggregated", method="")
    node = "host_0123456789abcdef0123456789abcdef"
    messages = {
        "client_ready": ["client_ready", "2.12.1", node],
        "heartbeat": ["heartbeat", {"state": "running", "current_cpu_usage": 1.5,
                                    "current_memory_usage": 1 << 26}, node],
        "spawn": ["spawn", {"timestamp": 1.7e9, "user_classes_count": {"BrowsingUser": 3},
                            "host": "http://127.0.0.1:8088", "stop_timeout": None,
                            "parsed_options": {}}, node],
        "stats": ["stats", {"stats": [entry], "stats_total": total,
                            "errors": {"ab12": {"name": "/x", "method": "GET",
                                                "error": "HTTPError('500')", "occurrences": 2}},
                            "user_classes_count": {"BrowsingUser": 3}, "user_count": 3}, node],
        "bin": ["exception", {"msg": "boom", "traceback": b"\x00\x01tb"}, node],
        "nil": ["quit", None, node],
    }
    for name, m in messages.items():
        write("cluster_message", name, pack(m))


def target_request():
    def req(method, path, body=None, headers=()):
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1:8088", *headers]
        data = b""
        if body is not None:
            data = json.dumps(body).encode()
            lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + data

    seeds = {
        "health": req("GET", "/health") + req("GET", "/ping") + req("HEAD", "/health/ready"),
        "shows": req("GET", "/api/v1/shows/?page=2&page_size=5") + req("GET", "/api/v1/shows/1"),
        "movies": req("GET", "/api/v1/movies") + req("GET", "/api/v1/movies/3"),
        "request": req("POST", "/api/v1/requests/content", {"query": "Dune 2021", "user_id": "u1"}) +
        req("GET", "/api/v1/requests/1/status") + req("GET", "/api/v1/requests?limit=3"),
        "settings": req("GET", "/api/v1/settings") + req("GET", "/api/v1/settings/sonarr") +
        req("PUT", "/api/v1/settings/app", {"log_level": "DEBUG"}),
        "test_conn": req("POST", "/api/v1/settings/test/sonarr",
                         {"url": "http://127.0.0.1:8989", "api_key_or_token": "k", "timeout": 10}),
        "audit": req("POST", "/api/v1/config/audit", {"services": ["sonarr"]}) +
        req("GET", "/api/v1/config/audit/history") + req("GET", "/api/v1/config/recommendations"),
        "chat": req("POST", "/api/v1/chat/message", {"message": "add Dune", "session_id": "s"}),
        "onboarding": req("GET", "/api/v1/onboarding/status") +
        req("PUT", "/api/v1/onboarding/step", {"step": "complete"}),
        "activity": req("GET", "/api/v1/activity?limit=5") + req("GET", "/api/v1/logs?level=INFO") +
        req("GET", "/api/v1/downloads/queue") + req("GET", "/api/v1/media/recently-added?limit=2"),
        "chunked": b"POST /api/v1/requests/content HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\n{\"que\r\n11\r\nry\": \"Dune\"}     \r\n0\r\n\r\n",
        "upgrade": req("GET", "/api/v1/ws", headers=("Upgrade: websocket", "Connection: Upgrade",
                                                     "Sec-WebSocket-Version: 13",
                                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")),
        "target_admin": req("GET", "/__target/stats") + req("GET", "/metrics") +
        req("GET", "/__target/faults"),
        "close": req("GET", "/health", headers=("Connection: close",)) + req("GET", "/ping"),
        "bad": b"GET /health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    }
    for name, data in seeds.items():
        write("target_request", name, data)


if __name__ == "__main__":
    http_response()
    ws_frames()
    cluster_message()
    target_request()
