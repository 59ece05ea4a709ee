#!/usr/bin/env python3
"""Gathers one bench/run.sh run into a single JSON document (bench/results/<date>.json).

Usage: bench/collect.py RUN_DIR OUT_JSON
RUN_DIR holds the parts' output directories (throughput/, memory/, spawn/, accuracy/, autoarr/,
micro/); each part's rows.tsv is kept whole ("rows", numbers as numbers) next to its summary.md
text, plus medians computed here. meta.json in RUN_DIR (machine, commands) is copied in.
"""
import csv
import json
import os
import statistics
import sys


def num(v):
    for t in (int, float):
        try:
            return t(v)
        except (TypeError, ValueError):
            pass
    return v


def rows(path):
    with open(path, newline="") as f:
        return [{k: num(v) for k, v in r.items()} for r in csv.DictReader(f, delimiter="\t")]


def medians(rs, key, fields):
    out = {}
    for r in rs:
        out.setdefault(r[key] if not isinstance(key, tuple) else "/".join(str(r[k]) for k in key), [])
    for group in out:
        sel = [r for r in rs if (r[key] if not isinstance(key, tuple)
                                 else "/".join(str(r[k]) for k in key)) == group]
        med = {}
        for f in fields:
            vals = [r[f] for r in sel if isinstance(r.get(f), (int, float))]
            med[f] = statistics.median(vals) if vals else None
            if vals:
                med[f + "_min"], med[f + "_max"] = min(vals), max(vals)
        med["runs"] = len(sel)
        out[group] = med
    return out


def main():
    run_dir, out_path = sys.argv[1], sys.argv[2]
    doc = {}
    meta = os.path.join(run_dir, "meta.json")
    if os.path.exists(meta):
        doc.update(json.load(open(meta)))
    parts = {
        "throughput": ("tool", ["req_per_s", "cpu_ms_per_1k", "nginx_cpu_pct", "failures"]),
        # Grouped by load point and tool ("low/arrload"); rows.tsv from before the reference server
        # had no point column and are grouped by tool.
        "accuracy": (("point", "tool"), ["req_per_s", "p50_ms", "p99_ms", "server_p50_ms",
                                         "server_p99_ms", "added_p50_us", "added_p99_us"]),
        "memory": (("tool", "users"), ["vmrss_kb", "vmhwm_kb", "rssanon_kb", "sockets"]),
        "spawn": ("rate", ["measured_s", "achieved_per_s"]),
        "autoarr": ("profile", ["cpu_pct", "maxrss_kb", "req_per_s", "failures", "target_cpu_pct"]),
    }
    for name, (key, fields) in parts.items():
        d = os.path.join(run_dir, name)
        tsv = os.path.join(d, "rows.tsv")
        if not os.path.exists(tsv):
            continue
        rs = rows(tsv)
        if isinstance(key, tuple) and any(k not in rs[0] for k in key) if rs else False:
            key = key[-1]
        part = {"rows": rs, "medians": medians(rs, key, fields)}
        summary = os.path.join(d, "summary.md")
        if os.path.exists(summary):
            part["summary_md"] = open(summary).read()
        saturation = os.path.join(d, "saturation.tsv")
        if os.path.exists(saturation):
            sat = rows(saturation)
            part["saturation"] = {"rows": sat, "medians": medians(sat, "tool", ["req_per_s"])}
        skipped = os.path.join(d, "skipped.txt")
        if os.path.exists(skipped):
            part["skipped"] = open(skipped).read().splitlines()
        doc[name] = part
    t = doc.get("throughput", {}).get("medians", {})
    if "arrload" in t:
        a = t["arrload"]
        for ref in ("wrk", "locust-fast", "h2load", "locust-http"):
            if ref in t and t[ref]["req_per_s"] and t[ref]["cpu_ms_per_1k"]:
                doc["throughput"].setdefault("ratios", {})["arrload/" + ref] = {
                    "req_per_s": round(a["req_per_s"] / t[ref]["req_per_s"], 3),
                    "requests_per_cpu_second": round(t[ref]["cpu_ms_per_1k"] / a["cpu_ms_per_1k"], 3),
                }
    micro = os.path.join(run_dir, "micro", "micro.json")
    if os.path.exists(micro):
        m = json.load(open(micro))
        doc["micro"] = {
            "context": m.get("context"),
            "benchmarks": [{k: b.get(k) for k in ("name", "real_time", "cpu_time", "time_unit",
                                                   "iterations", "items_per_second",
                                                   "bytes_per_second") if k in b}
                           for b in m.get("benchmarks", [])],
        }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
