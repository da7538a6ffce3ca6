#!/usr/bin/env python3
"""Turns BenchmarkDotNet's JSON results into docs/benchmarks.svg and the generated tables of docs/benchmarks.md.

    python3 benchmarks/report.py [--results DIR] [--doc FILE] [--svg FILE] [--note TEXT]

Reads every *-report-full.json in DIR (default benchmarks/BenchmarkDotNet.Artifacts/results), so a
partial run (one --filter) only refreshes the classes it ran, as long as the older JSON files are still
there. Rewrites only the text between <!-- BEGIN GENERATED: name --> and <!-- END GENERATED: name -->
in the markdown file; everything else there is written by hand. Python 3 standard library only.
"""

import argparse
import glob
import html
import json
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Display order of the classes (one per row group of issue 7) and a one-line description of each.
CLASSES = [
    ("SingleAllocBenchmarks", "One allocation of a long (per operation)"),
    ("AllocLongBenchmarks", "N longs one by one, then reset (per whole iteration)"),
    ("AllocSliceBenchmarks", "A slice of N ints from a span or a generator (per slice)"),
    ("AllocStringBenchmarks", "100 copies of a 33-character string, then reset (per whole iteration)"),
    ("ArenaListBenchmarks", "A list of N longs, then Finish and reset (per whole iteration)"),
    ("RawAllocBenchmarks", "One 128 KiB raw allocation (per allocation)"),
    ("TransactionBenchmarks", "Transactions of 16 longs (per transaction)"),
    ("FSharpWorkflowBenchmarks", "The F# arena { } workflow vs the C# Transaction API (per transaction)"),
    ("ConstructionBenchmarks", "Creating and disposing an arena with a 64 KiB first block"),
    ("CheckedModeBenchmarks", "Checked mode off vs on (per allocation)"),
    ("WorkloadBenchmarks", "The request workload: parse + evaluate one request (per request)"),
]

# Goals measured within one run (no figure from another machine or day): (class, method, params, label,
# against method, at most this ratio). The comparison with the Rust crates is benchmarks/compare.sh's.
RATIO_GOALS = [
    ("SingleAllocBenchmarks", "Arena_Alloc", "", "single Alloc<long> within 1.2x of the floor", "Floor_Bump", 1.2),
    ("WorkloadBenchmarks", "Arena_Requests", "", "workload: at least 3x the GC version's throughput", "Gc_Requests", 1 / 3),
]


def find_baselines():
    """Maps class name -> baseline method, read from the benchmark sources (C# and F#)."""
    baselines = {}
    sources = glob.glob(os.path.join(ROOT, "benchmarks", "**", "*.cs"), recursive=True)
    sources += glob.glob(os.path.join(ROOT, "benchmarks", "**", "*.fs"), recursive=True)
    for path in sources:
        if f"{os.sep}obj{os.sep}" in path or f"{os.sep}bin{os.sep}" in path:
            continue
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"Baseline\s*=\s*true", text):
            before, after = text[: m.start()], text[m.end():]
            cls = re.findall(r"\b(?:class|type)\s+(\w+)", before)
            meth = re.search(r"(?:public\s+[\w<>\[\],.? ]+?\s+(\w+)\s*\(|member\s+\w+\.(\w+))", after)
            if cls and meth:
                baselines[cls[-1]] = meth.group(1) or meth.group(2)
    return baselines


def load(results_dir):
    files = sorted(glob.glob(os.path.join(results_dir, "*-report-full.json")))
    if not files:
        sys.exit(f"report.py: no *-report-full.json in {results_dir}: run benchmarks/run.sh first")
    rows, hosts, titles, jobs = [], [], [], set()
    for path in files:
        data = json.load(open(path, encoding="utf-8"))
        hosts.append(data["HostEnvironmentInfo"])
        titles.append(data.get("Title", ""))
        for b in data["Benchmarks"]:
            stats = b.get("Statistics") or {}
            mem = b.get("Memory") or {}
            ops = mem.get("TotalOperations") or 0
            jobs.add(re.sub(r"\s*\[.*\]$", "", b["DisplayInfo"].split(": ", 1)[-1]))
            rows.append({
                "class": b["Type"],
                "method": b["Method"],
                "params": (b.get("Parameters") or "").replace("&", ", "),
                "mean": stats.get("Mean"),
                "median": stats.get("Median"),
                "stddev": stats.get("StandardDeviation"),
                "allocated": mem.get("BytesAllocatedPerOperation"),
                "gen0": (mem.get("Gen0Collections", 0) * 1000.0 / ops) if ops else None,
            })
    return rows, hosts[0], titles, sorted(jobs)


def fmt_ns(ns):
    if ns is None:
        return "failed"
    if ns >= 1e6:
        return f"{ns / 1e6:,.2f} ms"
    if ns >= 1e4:
        return f"{ns / 1e3:,.2f} µs"
    if ns >= 100:
        return f"{ns:,.0f} ns"
    if ns >= 10:
        return f"{ns:.1f} ns"
    if ns >= 0.1:
        return f"{ns:.2f} ns"
    return f"{ns:.3f} ns"


def fmt_bytes(b):
    if b is None:
        return "?"
    return "0 B" if b == 0 else f"{b:,.0f} B"


def lookup(rows, cls, method, params):
    for r in rows:
        if r["class"] == cls and r["method"] == method and r["params"] == params:
            return r
    return None


def run_date(titles):
    stamps = sorted(m.group(0) for t in titles for m in [re.search(r"\d{8}-\d{6}", t)] if m)
    if not stamps:
        return "unknown date"
    s = stamps[-1]
    return f"{s[0:4]}-{s[4:6]}-{s[6:8]} {s[9:11]}:{s[11:13]} UTC"


def environment(host, titles, jobs, note):
    lines = [
        f"- Date: {run_date(titles)}" + (f" ({note})" if note else ""),
        f"- Machine: {host.get('ProcessorName', '?')}, {host.get('PhysicalCoreCount', '?')} physical / "
        f"{host.get('LogicalCoreCount', '?')} logical cores, {host.get('Architecture', '?')}",
        f"- OS: {host.get('OsVersion', '?')}",
        f"- .NET SDK {host.get('DotNetCliVersion', '?')}, runtime {host.get('RuntimeVersion', '?')}, "
        f"BenchmarkDotNet {host.get('BenchmarkDotNetVersion', '?')}",
        f"- Job: {'; '.join(jobs)}",
    ]
    return "\n".join(lines)


def goals_table(rows):
    out = ["| Goal | FastArena | Met? |", "|---|---:|---|"]
    for cls, method, params, label, against, limit in RATIO_GOALS:
        r, b = lookup(rows, cls, method, params), lookup(rows, cls, against, params)
        if r and b and r["mean"] and b["mean"]:
            ratio = r["mean"] / b["mean"]
            ok = ratio <= limit * 1.0000001
            shown = f"{ratio:.2f}x of `{against}`" if limit >= 1 else f"{b['mean'] / r['mean']:.2f}x faster than `{against}`"
            out.append(f"| {label} (`{cls}.{method}`) | {fmt_ns(r['mean'])} | {'yes' if ok else 'no'}: {shown} |")
        else:
            out.append(f"| {label} | not run | |")
    arena = [r for r in rows if is_arena(r["method"]) and r["class"] != "ConstructionBenchmarks"
             and "Fresh" not in r["method"]]
    managed = [r for r in arena if r["allocated"]]
    if managed:
        names = ", ".join(f"`{r['class']}.{r['method']}`" for r in managed)
        out.append(f"| 0 managed bytes on every arena path | | no: {names} |")
    else:
        out.append(f"| 0 managed bytes on every arena path ({len(arena)} arena rows) | | yes |")
    return "\n".join(out)


def is_arena(method):
    return method.startswith(("Arena_", "Tx", "Checkpoint", "Alloc_", "AllocHandle", "FSharp_", "CSharp_"))


def class_tables(rows, baselines):
    out = []
    for cls, title in CLASSES:
        mine = [r for r in rows if r["class"] == cls]
        if not mine:
            continue
        base = baselines.get(cls)
        out.append(f"### {cls}\n\n{title}. Baseline: `{base}`.\n")
        out.append("| Method | Params | Mean | StdDev | Ratio | Allocated | Gen0 / 1k ops |")
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for r in mine:
            b = lookup(rows, cls, base, r["params"]) if base else None
            ratio = f"{r['mean'] / b['mean']:.2f}" if b and b["mean"] and r["mean"] else "-"
            gen0 = "-" if not r["gen0"] else f"{r['gen0']:.4f}"
            std = fmt_ns(r["stddev"]) if r["stddev"] is not None else "-"
            out.append(f"| `{r['method']}` | {r['params'] or '-'} | {fmt_ns(r['mean'])} | {std} | {ratio} | "
                       f"{fmt_bytes(r['allocated'])} | {gen0} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def replace_section(text, name, body):
    pattern = re.compile(rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.S)
    if not pattern.search(text):
        sys.exit(f"report.py: the markdown has no '<!-- BEGIN GENERATED: {name} -->' ... END section")
    return pattern.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(2), text)


COLORS = {"arena": "#2b6cb0", "floor": "#718096", "gc": "#dd6b20", "native": "#2f855a", "pool": "#805ad5"}


def color(method):
    if method.startswith("Floor_"):
        return COLORS["floor"]
    if method.startswith(("GcNew_", "List_", "Gc_")):
        return COLORS["gc"]
    if method.startswith("NativeMemory_"):
        return COLORS["native"]
    if method.startswith("ArrayPool_"):
        return COLORS["pool"]
    return COLORS["arena"]


def svg_chart(rows, host, titles, note):
    """A horizontal bar chart, one panel per class, log-scale time axis."""
    values = [r["mean"] for r in rows if r["mean"]]
    # Rows under 0.1 ns (a bump the JIT folds away) are drawn at the axis' left end, not stretching it.
    lo = max(0.1, 10 ** math.floor(math.log10(min(values))))
    hi = 10 ** math.ceil(math.log10(max(values)))
    left, width, bar, gap, right = 330, 560, 14, 4, 120
    plot_w = width

    def x(v):
        return left + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    parts, y = [], 70
    for cls, title in CLASSES:
        mine = [r for r in rows if r["class"] == cls]
        if not mine:
            continue
        y += 8
        parts.append(f'<text x="10" y="{y + 12}" font-weight="bold">{html.escape(cls)}</text>'
                     f'<text x="{left}" y="{y + 12}" fill="#4a5568">{html.escape(title)}</text>')
        y += 20
        for r in mine:
            label = r["method"] + (f" ({r['params']})" if r["params"] else "")
            parts.append(f'<text x="{left - 8}" y="{y + bar - 3}" text-anchor="end">{html.escape(label)}</text>')
            if r["mean"]:
                w = max(1.0, x(r["mean"]) - left)
                parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{color(r["method"])}"/>')
                extra = "" if not r["allocated"] else f", {fmt_bytes(r['allocated'])}"
                parts.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}" fill="#1a202c">'
                             f'{html.escape(fmt_ns(r["mean"]) + extra)}</text>')
            else:
                parts.append(f'<text x="{left + 4}" y="{y + bar - 3}" fill="#e53e3e">failed</text>')
            y += bar + gap
    height = y + 40
    total_w = left + plot_w + right
    grid, decade = [], lo
    while decade <= hi * 1.0001:
        gx = x(decade)
        grid.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="60" y2="{height - 30}" stroke="#e2e8f0"/>'
                    f'<text x="{gx:.1f}" y="{height - 14}" text-anchor="middle" fill="#4a5568">{fmt_ns(decade)}</text>')
        decade *= 10
    legend, lx = [], 10
    for name, key in (("FastArena", "arena"), ("floor (bare bump)", "floor"), ("GC new / List", "gc"),
                      ("NativeMemory", "native"), ("ArrayPool", "pool")):
        legend.append(f'<rect x="{lx}" y="44" width="12" height="12" fill="{COLORS[key]}"/>'
                      f'<text x="{lx + 16}" y="54">{name}</text>')
        lx += 30 + 7 * len(name)
    subtitle = (f"{host.get('ProcessorName', '?')}, {host.get('LogicalCoreCount', '?')} logical cores, "
                f"{host.get('RuntimeVersion', '?')}, {run_date(titles)}" + (f", {note}" if note else ""))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{height}" '
            f'font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="11">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="10" y="18" font-size="15" font-weight="bold">FastArena benchmarks: mean time per operation '
            f'(log scale; shorter is faster)</text>'
            f'<text x="10" y="34" fill="#4a5568">{html.escape(subtitle)}</text>')
    return head + "".join(grid) + "".join(legend) + "".join(parts) + "</svg>\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default=os.path.join(ROOT, "benchmarks", "BenchmarkDotNet.Artifacts", "results"))
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--svg", default=os.path.join(ROOT, "docs", "benchmarks.svg"))
    ap.add_argument("--note", default="", help='e.g. "measured while the machine was busy"')
    args = ap.parse_args()

    rows, host, titles, jobs = load(args.results)
    baselines = find_baselines()
    with open(args.svg, "w", encoding="utf-8") as f:
        f.write(svg_chart(rows, host, titles, args.note))
    text = open(args.doc, encoding="utf-8").read()
    text = replace_section(text, "environment", environment(host, titles, jobs, args.note))
    text = replace_section(text, "goals", goals_table(rows))
    text = replace_section(text, "tables", class_tables(rows, baselines))
    with open(args.doc, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"report.py: {len(rows)} results -> {os.path.relpath(args.svg, ROOT)}, {os.path.relpath(args.doc, ROOT)}")


if __name__ == "__main__":
    main()
