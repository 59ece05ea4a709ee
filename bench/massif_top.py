#!/usr/bin/env python3
"""Top heap allocation sites of one massif snapshot, per user.

Picks the peak snapshot (or --snapshot N) of a massif.out file; for each top-level allocation site
prints its bytes, bytes per user (--users), and the first frames that name arrload or Boost code,
so that Asio's and Beast's allocations are shown with the arrload call that caused them.
Note: Asio recycles freed coroutine frames and handler blocks (thread_info_base), so a block is
reported under the site that first allocated it, which may be another coroutine than its holder.

Usage: massif_top.py massif.out [--users N] [--snapshot K] [--top 15]
"""
import argparse
import re


def parse(path):
    snaps = []
    cur = None
    stack = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("snapshot="):
                cur = {"id": int(line.split("=")[1]), "tree": None, "heap": 0, "kind": ""}
                snaps.append(cur)
                stack = []
            elif line.startswith("mem_heap_B="):
                cur["heap"] = int(line.split("=")[1])
            elif line.startswith("heap_tree="):
                cur["kind"] = line.split("=")[1]
            else:
                m = re.match(r"^( *)n(\d+): (\d+) (.*)$", line)
                if not m or cur is None:
                    continue
                depth = len(m.group(1))
                node = {"bytes": int(m.group(3)), "label": m.group(4), "kids": []}
                while stack and stack[-1][0] >= depth:
                    stack.pop()
                if stack:
                    stack[-1][1]["kids"].append(node)
                else:
                    cur["tree"] = node
                stack.append((depth, node))
    return snaps


def describe(node, want=3):
    """Follow the biggest child down and collect interesting frames."""
    frames = []
    while node is not None and len(frames) < want:
        label = re.sub(r"^0x[0-9A-F]+: ", "", node["label"])
        if re.search(r"arrload::|beast::|asio::detail::(reactive|epoll|awaitable|thread_info)", label):
            short = re.sub(r"\(.*?\) \(", " (", label)
            while re.search(r"<[^<>]*>", short):  # drop template arguments
                short = re.sub(r"<[^<>]*>", "", short)
            short = short[:90]
            if not frames or frames[-1] != short:
                frames.append(short)
        node = max(node["kids"], key=lambda k: k["bytes"]) if node["kids"] else None
    return frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--users", type=int, default=1)
    ap.add_argument("--snapshot", type=int)
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    snaps = [s for s in parse(a.file) if s["tree"] is not None]
    if a.snapshot is not None:
        snap = next(s for s in snaps if s["id"] == a.snapshot)
    else:
        snap = max(snaps, key=lambda s: s["heap"])
    print(f"snapshot {snap['id']} ({snap['kind']}): heap {snap['heap']:,} B = {snap['heap'] / a.users:,.0f} B per user")
    for kid in sorted(snap["tree"]["kids"], key=lambda k: -k["bytes"])[: a.top]:
        frames = describe(kid)
        print(f"{kid['bytes']:>10,} B {kid['bytes'] / a.users:8.0f} B/user  " + " <- ".join(frames or [kid['label'][:100]]))


if __name__ == "__main__":
    main()
