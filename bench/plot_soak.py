#!/usr/bin/env python3
"""Draws bench/soak.sh's samples (elapsed_s, rss_kib, fds, threads) as one SVG with three panels.

    bench/plot_soak.py SAMPLES.csv > docs/soak.svg

Plain SVG, no plotting library: Debian's python3 has none installed by default.
"""
import csv
import sys

WIDTH, PANEL_H, LEFT, RIGHT, TOP, GAP = 760, 150, 70, 20, 30, 45


def read(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f)]
    t = [float(r["elapsed_s"]) / 60 for r in rows]
    series = [
        ("arrload resident memory (MiB)", [float(r["rss_kib"]) / 1024 for r in rows]),
        ("open file descriptors", [float(r["fds"]) for r in rows]),
        ("threads", [float(r["threads"]) for r in rows]),
    ]
    return t, series


def panel(out, top, t, title, ys):
    x_max = max(t) if t and max(t) > 0 else 1
    y_max = max(ys) * 1.2 if ys and max(ys) > 0 else 1
    plot_w = WIDTH - LEFT - RIGHT

    def x(v):
        return LEFT + v / x_max * plot_w

    def y(v):
        return top + PANEL_H - v / y_max * PANEL_H

    out.append(f'<text x="{LEFT}" y="{top - 8}" font-size="13">{title}</text>')
    out.append(f'<rect x="{LEFT}" y="{top}" width="{plot_w}" height="{PANEL_H}" '
               'fill="none" stroke="#999"/>')
    for i in range(5):
        v = y_max * i / 4
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="11" '
                   f'text-anchor="end">{v:.0f}</text>')
    for i in range(7):
        v = x_max * i / 6
        out.append(f'<text x="{x(v):.1f}" y="{top + PANEL_H + 14}" font-size="11" '
                   f'text-anchor="middle">{v:.0f}</text>')
    points = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(t, ys))
    out.append(f'<polyline points="{points}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>')


def main():
    t, series = read(sys.argv[1])
    height = TOP + len(series) * (PANEL_H + GAP) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           'font-family="sans-serif">',
           f'<text x="{WIDTH - RIGHT}" y="{height - 6}" font-size="11" '
           'text-anchor="end">minutes</text>']
    for i, (title, ys) in enumerate(series):
        panel(out, TOP + i * (PANEL_H + GAP), t, title, ys)
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
