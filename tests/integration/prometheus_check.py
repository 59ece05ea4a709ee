#!/usr/bin/python3
"""Checks scrapes of arrload's /metrics with Prometheus's own Python client's parser.

Usage: prometheus_check.py SCRAPE_FILE...   (in the order they were taken)

Each file must parse (prometheus_client.parser.text_string_to_metric_families, Debian's
python3-prometheus-client); in each, every histogram's buckets must be cumulative (non-decreasing
in le) with the +Inf bucket equal to _count; from one scrape to the next no sample of a counter
or a histogram may go down. Prints one JSON object (the last scrape's totals and what was
checked); exits 1 listing the problems when a check fails.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def parse(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    families = list(text_string_to_metric_families(text))
    return families


def check_histograms(path, families, problems):
    checked = 0
    for fam in families:
        if fam.type != "histogram":
            continue
        series = {}
        for s in fam.samples:
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            entry = series.setdefault(key, {"buckets": [], "count": None})
            if s.name.endswith("_bucket"):
                entry["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                entry["count"] = s.value
        for key, entry in series.items():
            checked += 1
            buckets = sorted(entry["buckets"])
            if not buckets or not math.isinf(buckets[-1][0]):
                problems.append(f"{path}: {fam.name}{dict(key)} has no +Inf bucket")
                continue
            for (le_a, a), (le_b, b) in zip(buckets, buckets[1:]):
                if b < a:
                    problems.append(f"{path}: {fam.name}{dict(key)}: le={le_b} holds {b} < "
                                    f"le={le_a}'s {a}")
            if entry["count"] != buckets[-1][1]:
                problems.append(f"{path}: {fam.name}{dict(key)}: _count {entry['count']} != "
                                f"+Inf bucket {buckets[-1][1]}")
    return checked


def monotonic_samples(families):
    out = {}
    for fam in families:
        if fam.type not in ("counter", "histogram"):
            continue
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def total(families, sample_name):
    return sum(s.value for fam in families for s in fam.samples if s.name == sample_name)


def main(paths):
    problems = []
    previous = None
    histograms = 0
    rising = 0  # scrapes whose request total was above the previous one's
    last_total = None
    families = []
    for path in paths:
        try:
            families = parse(path)
        except Exception as e:  # the parser raises ValueError and others on bad input
            problems.append(f"{path}: does not parse: {e!r}")
            continue
        histograms += check_histograms(path, families, problems)
        now = monotonic_samples(families)
        if previous is not None:
            for key, value in previous.items():
                if key in now and now[key] < value:
                    problems.append(f"{path}: {key[0]}{dict(key[1])} went down: {value} -> "
                                    f"{now[key]}")
                elif key not in now:
                    problems.append(f"{path}: {key[0]}{dict(key[1])} disappeared")
        previous = now
        requests = total(families, "arrload_requests_total")
        if last_total is not None and requests > last_total:
            rising += 1
        last_total = requests
    state = [s.labels["state"] for fam in families for s in fam.samples
             if s.name == "arrload_run_state" and s.value == 1]
    print(json.dumps({
        "scrapes": len(paths),
        "histogram_series_checked": histograms,
        "rising_scrapes": rising,
        "final_requests": total(families, "arrload_requests_total"),
        "final_failures": total(families, "arrload_request_failures_total"),
        "final_errors": total(families, "arrload_errors_total"),
        "final_response_time_count": total(families, "arrload_response_time_seconds_count"),
        "final_state": state[0] if state else "",
        "names": sorted({s.name for fam in families for s in fam.samples}),
        "problems": problems,
    }))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
