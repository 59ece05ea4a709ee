#!/usr/bin/env python3
"""Server-side request times of the embedded target, from its log ring (/api/v1/logs).

The target logs "Request started: M PATH" and "Request completed: M PATH - STATUS (Xs)" with
microsecond timestamps and the request id; the difference of the two timestamps is the time the
request spent inside the server (what X-Process-Time reports, to the microsecond instead of the
millisecond). Reads the JSON from stdin and prints one JSON object:
{"n": N, "p50_ms": .., "p99_ms": .., "mean_ms": .., "header_p50_ms": .., "header_p99_ms": ..}
(header_*: the 3-decimal X-Process-Time value as logged).
"""
import datetime
import json
import re
import sys


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(-(-q * len(values) // 1)) - 1))
    return values[k]


def main():
    logs = json.load(sys.stdin)["logs"]
    started, done, header = {}, {}, []
    for e in logs:
        rid, msg = e.get("request_id"), e.get("message", "")
        t = datetime.datetime.fromisoformat(e["timestamp"]).timestamp()
        if msg.startswith("Request started:"):
            started[rid] = t
        elif msg.startswith("Request completed:") and "/api/v1/logs" not in msg:
            done[rid] = t
            m = re.search(r"\(([0-9.]+)s\)$", msg)
            if m:
                header.append(1000 * float(m.group(1)))
    times = [1000 * (done[r] - started[r]) for r in done if r in started]
    out = {
        "n": len(times),
        "p50_ms": pct(times, 0.5),
        "p99_ms": pct(times, 0.99),
        "mean_ms": sum(times) / len(times) if times else None,
        "header_p50_ms": pct(header, 0.5),
        "header_p99_ms": pct(header, 0.99),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
