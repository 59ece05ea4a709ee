#!/usr/bin/env python3
"""Summarises a callgrind output file: self cost per function (inlined code folded into the
function it was inlined into, whatever header it came from), calls per function, and the callers
of the allocation and locking functions, each per request when a per-request function is given.

Usage: callgrind_top.py callgrind.out [--per FUNCTION_SUBSTRING] [--top 15]
"""
import argparse
import collections
import re


def parse(path):
    names = {"fn": {}, "cfn": {}, "fl": {}, "fi": {}, "fe": {}, "cfi": {}, "cfl": {}, "ob": {}, "cob": {}}
    fn_names = {}
    self_cost = collections.Counter()
    calls = collections.Counter()  # callee -> calls
    edges = collections.Counter()  # (caller, callee) -> calls
    incl_edges = collections.Counter()  # (caller, callee) -> inclusive cost
    fn = None
    cfn = None
    pending_calls = None
    comp = re.compile(r"^(fn|cfn|fl|fi|fe|cfi|cfl|ob|cob)=\((\d+)\)(?: (.*))?$")
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = comp.match(line)
            if m:
                kind, ident, name = m.groups()
                table = "fn" if kind in ("fn", "cfn") else kind
                if name is not None:
                    names[table][ident] = name
                if kind == "fn":
                    fn = names["fn"][ident]
                elif kind == "cfn":
                    cfn = names["fn"][ident]
                continue
            if line.startswith("fn="):
                fn = line[3:]
                continue
            if line.startswith("cfn="):
                cfn = line[4:]
                continue
            if line.startswith("calls="):
                pending_calls = int(line[6:].split()[0])
                continue
            if line and (line[0].isdigit() or line[0] in "+-*"):
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending_calls is not None:
                    calls[cfn] += pending_calls
                    edges[(fn, cfn)] += pending_calls
                    incl_edges[(fn, cfn)] += cost
                    pending_calls = None
                else:
                    self_cost[fn] += cost
    return self_cost, calls, edges, incl_edges


def short(name, width=110):
    name = name.replace("(anonymous namespace)", "{anon}")
    name = re.sub(r"\(.*", "", name)
    return name if len(name) <= width else name[: width - 3] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--per", default="arrload::stats::Shard::record(")
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    self_cost, calls, edges, _ = parse(a.file)
    total = sum(self_cost.values())
    per = sum(c for fn, c in calls.items() if fn and a.per in fn)
    print(f"total Ir: {total:,}; calls of '{a.per}' (requests): {per:,}")
    if per:
        print(f"Ir per request: {total / per:,.0f}")
    print(f"\nTop {a.top} functions by self cost:")
    for fn, c in self_cost.most_common(a.top):
        extra = f"{c / per:8.0f} Ir/req" if per else ""
        print(f"{100 * c / total:6.2f}%  {extra}  {short(fn)}")
    for target in ("malloc", "operator new(", "free", "pthread_mutex_lock", "clock_gettime"):
        hits = [(k, v) for k, v in edges.items() if k[1] and (k[1] == target or k[1].startswith(target))]
        n = sum(v for _, v in hits)
        if not n:
            continue
        print(f"\ncalls to {target}: {n:,}" + (f" = {n / per:.2f} per request" if per else "") + "; top callers:")
        for (caller, _), v in sorted(hits, key=lambda kv: -kv[1])[:8]:
            print(f"   {v / per if per else v:8.2f}  {short(caller)}")


if __name__ == "__main__":
    main()
