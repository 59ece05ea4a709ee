#!/usr/bin/env python3
"""Collects bench/schedule_precision.sh's rows (OUT/rows.jsonl) into RESULT (JSON: meta, rows,
medians per rate) and prints the Markdown tables of docs/BENCHMARKS.md section 10.

Usage: bench/schedule_table.py OUT RESULT
"""
import json
import os
import statistics
import subprocess
import sys


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_runs(values, f):
    return " / ".join("–" if v is None else f(v) for v in values)


def main():
    out, result = sys.argv[1], sys.argv[2]
    rows = [json.loads(line) for line in open(os.path.join(out, "rows.jsonl")) if line.strip()]
    rates = sorted({r["rate"] for r in rows})

    def worker(r):  # the busiest thread: the worker
        return max(r.get("thread_sched", []), key=lambda t: t["cpu_ms"], default=None)

    def ct_cell(m, cts):
        if not cts or m["cyclictest_p50_us"] is None or m["cyclictest_p99_us"] is None:
            return "–"
        runs = fmt_runs([r["wakeup_us"]["p99"] for r in cts], str)
        return f"{m['cyclictest_p50_us']:.0f}, {m['cyclictest_p99_us']:.0f} µs ({runs})"

    def waited(w):
        return f"{w['runqueue_wait_ms']:.0f} ms ({w['involuntary_switches']})" if w else "–"

    def p99(r, key="lateness_us"):
        v = (r.get(key) or {}).get("p99")
        if v is not None and r.get("lateness_is_upper_bound") and key == "lateness_us":
            # With drops both are upper bounds: lateness <= latency from the intended start.
            v = min(v, r["intended_p99_us"])
        return v

    medians = {}
    lines = [
        "| intended rate | achieved / intended (runs) | dropped | starts > 1 ms late (engine)"
        " | p99 start lateness (runs) | p99 after the 1st s | p50 | cyclictest p50, p99 (runs)"
        " | service p99 | generator CPU | self-check saturated | others on its core"
        " | worker's wait for the CPU (preemptions) | nginx CPU | load average |",
        "|---:|---|---|---|---|---|---:|---|---:|---|---|---|---|---:|---|",
    ]
    for rate in rates:
        rs = sorted((r for r in rows if r["kind"] == "precision" and r["rate"] == rate),
                    key=lambda r: r["run"])
        cts = [r for r in rows if r["kind"] == "cyclictest" and r["rate"] == rate]
        if not rs:
            continue
        m = {
            "achieved": med([r["achieved"] for r in rs]),
            "dropped": med([r["dropped"] for r in rs]),
            "behind": med([r["behind"] for r in rs]),
            "late_fraction": med([r["late_fraction"] for r in rs]),
            "lateness_p50_us": med([(r.get("lateness_us") or {}).get("p50") for r in rs]),
            "lateness_p99_us": med([p99(r) for r in rs]),
            "lateness_after_1s_p99_us": med([p99(r, "lateness_after_1s_us") for r in rs]),
            "latency_p99_us": med([r["latency_p99_us"] for r in rs]),
            "cpu_percent": med([r["cpu_percent"] for r in rs]),
            "nginx_cpu_percent": med([r["nginx_cpu_percent"] for r in rs]),
            "others_on_core_percent": med([max(0, r["core_busy_percent"] - r["gen_cpu_percent"]) for r in rs]),
            "cyclictest_p50_us": med([r["wakeup_us"]["p50"] for r in cts]),
            "cyclictest_p99_us": med([r["wakeup_us"]["p99"] for r in cts]),
        }
        medians[str(int(rate))] = m

        def late(r, key="lateness_us"):
            v = p99(r, key)
            return None if v is None else ("≤ " if r.get("lateness_is_upper_bound") else "") + f"{v:,}"

        lines.append(
            f"| {rate:,.0f}/s | **{m['achieved']:.4f}** ({fmt_runs([r['achieved'] for r in rs], lambda v: f'{v:.4f}')})"
            f" | {fmt_runs([r['dropped'] for r in rs], lambda v: f'{v:,}')}"
            f" | {fmt_runs([r['late_fraction'] for r in rs], lambda v: f'{100 * v:.2f}%')}"
            f" | **{m['lateness_p99_us']:,.0f} µs** ({fmt_runs([late(r) for r in rs], str)})"
            f" | {fmt_runs([late(r, 'lateness_after_1s_us') for r in rs], str)}"
            f" | {'≤ ' if any(r.get('lateness_is_upper_bound') for r in rs) else ''}{m['lateness_p50_us']:,.0f} µs"
            f" | {ct_cell(m, cts)}"
            f" | {m['latency_p99_us']:,.0f} µs"
            f" | {fmt_runs([r['cpu_percent'] for r in rs], lambda v: f'{v:.0f}%')}"
            f" | {fmt_runs([r['selfcheck']['saturated'] for r in rs], str)} (of {rs[0]['selfcheck']['samples']})"
            f" | {fmt_runs([max(0, r['core_busy_percent'] - r['gen_cpu_percent']) for r in rs], lambda v: f'{v:.0f}%')}"
            f" | {fmt_runs([worker(r) for r in rs], waited)}"
            f" | {m['nginx_cpu_percent']:.0f}%"
            f" | {fmt_runs([r['loadavg'].split()[0] for r in rs], str)} |")

    cli = sorted((r for r in rows if r["kind"] == "cli"), key=lambda r: (r["run"], r["rate"]))
    if cli:
        lines += ["", "| `arrload run` at | requests/s / intended | warnings on stderr | generator CPU"
                  " | report's dropped_iterations | load average |", "|---:|---:|---:|---:|---|---|"]
        for r in cli:
            lines.append(
                f"| {r['rate']:,.0f}/s | {r['completed_per_s'] / r['rate']:.4f} | {r['saturation_warnings']}"
                f" | {r['gen_cpu_percent']:.0f}% | {r.get('dropped_iterations', 'not in the report')}"
                f" | {r['loadavg'].split()[0]} |")

    def sh(c):
        return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()

    meta = {
        "date": sh("date -u +%FT%TZ"),
        "commit": sh(f"cd {os.path.dirname(os.path.abspath(__file__))} && git rev-parse --short HEAD"),
        "arrload_sha256": sh(f"sha256sum {out}/arrload | cut -c1-12"),
        "loadavg_start": open(os.path.join(out, "loadavg-start")).read().strip(),
        "loadavg_end": open(os.path.join(out, "loadavg-end")).read().strip(),
    }
    with open(result, "w") as f:
        json.dump({"meta": meta, "medians": medians, "rows": rows}, f, indent=1)
        f.write("\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
