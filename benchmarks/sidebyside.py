#!/usr/bin/env python3
"""Writes the side-by-side table of docs/benchmarks.md: FastArena's seed rows next to the Rust crates'.

    python3 benchmarks/sidebyside.py --dotnet DIR [--rust FILE] [--doc FILE] [--started TEXT] [--load TEXT] [--note TEXT]

DIR holds BenchmarkDotNet's *-report-full.json files (benchmarks/compare.sh writes them); FILE is the
Rust harness's rust-medians.tsv (name, median ns per operation over its three processes). Both must
come from the same machine, minutes apart: this script never reads a figure from anywhere else.
Rewrites only the text between <!-- BEGIN GENERATED: sidebyside --> and <!-- END GENERATED: sidebyside -->.
Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import platform
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# One line per seed row: label; FastArena (class, method, params); the .NET floor (class, method, params);
# the Rust crates' names in the harness (fastarena-rs, bumpalo; None when the crate has no such
# operation); the Rust floor's name (or (name, n) when the floor row is n operations per iteration). The harness mirrors each .NET method (see its header).
ROWS = [
    ("1,000 u64 + reset", ("AllocLongBenchmarks", "Arena_AllocLong_Reset", "N=1000"),
     ("AllocLongBenchmarks", "Floor_BumpLong", "N=1000"),
     "fa.alloc_u64_reset/N=1000", "bu.alloc_u64_reset/N=1000", "fl.alloc_u64_reset/N=1000"),
    ("10,000 u64 + reset", ("AllocLongBenchmarks", "Arena_AllocLong_Reset", "N=10000"),
     ("AllocLongBenchmarks", "Floor_BumpLong", "N=10000"),
     "fa.alloc_u64_reset/N=10000", "bu.alloc_u64_reset/N=10000", "fl.alloc_u64_reset/N=10000"),
    ("1,000 u64 + reset, in a scope", ("AllocLongBenchmarks", "Arena_AllocLong_Scope_Reset", "N=1000"),
     ("AllocLongBenchmarks", "Floor_BumpLong_Local", "N=1000"),
     "fa.alloc_u64_reset/N=1000", "bu.alloc_u64_reset/N=1000", "fl.alloc_u64_reset/N=1000"),
    ("10,000 u64 + reset, in a scope", ("AllocLongBenchmarks", "Arena_AllocLong_Scope_Reset", "N=10000"),
     ("AllocLongBenchmarks", "Floor_BumpLong_Local", "N=10000"),
     "fa.alloc_u64_reset/N=10000", "bu.alloc_u64_reset/N=10000", "fl.alloc_u64_reset/N=10000"),
    ("1,000 u64 + reset, in a `using` scope", ("AllocLongBenchmarks", "Arena_AllocLong_ScopeUsing_Reset", "N=1000"),
     ("AllocLongBenchmarks", "Floor_BumpLong_Local", "N=1000"),
     "fa.alloc_u64_reset/N=1000", "bu.alloc_u64_reset/N=1000", "fl.alloc_u64_reset/N=1000"),
    ("slice n=64 from a span", ("AllocSliceBenchmarks", "Arena_AllocSlice_FromSpan", "N=64"),
     ("AllocSliceBenchmarks", "Floor_BumpCopy_FromSpan", "N=64"),
     "fa.slice_copy_u32/N=64", "bu.slice_copy_u32/N=64", "fl.slice_copy_u32/N=64"),
    ("slice n=1,024 from a span", ("AllocSliceBenchmarks", "Arena_AllocSlice_FromSpan", "N=1024"),
     ("AllocSliceBenchmarks", "Floor_BumpCopy_FromSpan", "N=1024"),
     "fa.slice_copy_u32/N=1024", "bu.slice_copy_u32/N=1024", "fl.slice_copy_u32/N=1024"),
    ("100 x 33-char string + reset", ("AllocStringBenchmarks", "Arena_AllocString_x100_Reset", ""),
     ("AllocStringBenchmarks", "Floor_BumpCopyString_x100", ""),
     "fa.str33_x100_reset(literal)", "bu.str33_x100_reset(literal)", "fl.str33_x100(literal)"),
    ("list with capacity n=16", ("ArenaListBenchmarks", "Arena_List_WithCapacity_Finish", "N=16"),
     ("ArenaListBenchmarks", "Floor_BumpFill", "N=16"),
     "fa.arenavec_cap_push_finish/N=16", "bu.vec_cap_push_into_bump_slice/N=16", "fl.bump_fill/N=16"),
    ("list with capacity n=256", ("ArenaListBenchmarks", "Arena_List_WithCapacity_Finish", "N=256"),
     ("ArenaListBenchmarks", "Floor_BumpFill", "N=256"),
     "fa.arenavec_cap_push_finish/N=256", "bu.vec_cap_push_into_bump_slice/N=256", "fl.bump_fill/N=256"),
    ("list with capacity n=4,096", ("ArenaListBenchmarks", "Arena_List_WithCapacity_Finish", "N=4096"),
     ("ArenaListBenchmarks", "Floor_BumpFill", "N=4096"),
     "fa.arenavec_cap_push_finish/N=4096", "bu.vec_cap_push_into_bump_slice/N=4096", "fl.bump_fill/N=4096"),
    ("1 alloc + reset", ("SingleAllocBenchmarks", "Arena_Alloc_Reset", ""),
     ("SingleAllocBenchmarks", "Floor_Bump_Reset", ""),
     "fa.alloc_reset", "bu.alloc_reset", "fl.bump_reset"),
    ("1 alloc (no reset), in a scope", ("SingleAllocBenchmarks", "Arena_Alloc_Scope", ""),
     ("SingleAllocBenchmarks", "Floor_Bump_Local", ""),
     None, None, ("fl.alloc_u64_reset/N=1000", 1000)),
    ("checkpoint + alloc + rewind", ("SingleAllocBenchmarks", "Arena_Checkpoint_Alloc_Rewind", ""),
     ("SingleAllocBenchmarks", "Floor_Save_Bump_Restore", ""),
     "fa.checkpoint_alloc_rewind", "bu.raw_checkpoint_alloc_reset_to(unreleased)", "fl.save_bump_restore"),
    ("16 allocs + commit", ("TransactionBenchmarks", "Tx16_Commit", ""),
     ("TransactionBenchmarks", "Floor_Bump16", ""),
     "fa.tx16_commit", None, "fl.bump16"),
    ("16 allocs + rollback", ("TransactionBenchmarks", "Tx16_Rollback", ""),
     ("TransactionBenchmarks", "Floor_SaveBump16_Restore", ""),
     "fa.tx16_rollback", None, "fl.save_bump16_restore"),
    ("checkpoint + 16 allocs + rewind", ("TransactionBenchmarks", "Checkpoint16_Rewind", ""),
     ("TransactionBenchmarks", "Floor_SaveBump16_Restore", ""),
     "fa.checkpoint16_rewind", None, "fl.save_bump16_restore"),
    # FastArena's constructor reserves no block (the first allocation does), so its construction row is
    # set against bumpalo's lazy Bump::new (no chunk until the first allocation) and fastarena-rs's
    # eager Arena::new (it has no lazy form); there is no floor for asking the OS for nothing. The row
    # after it, with the first allocation, is the one that reserves 64 KiB, against Bump::with_capacity.
    ("construction (no block until first use) + Dispose", ("ConstructionBenchmarks", "Arena_New_Dispose", ""),
     None,
     "fa.Arena::new(64KiB)+drop", "bu.Bump::new()+drop(lazy)", None),
    ("construction + first alloc + Dispose", ("ConstructionBenchmarks", "Arena_New_Alloc_Dispose", ""),
     ("ConstructionBenchmarks", "NativeMemory_AlignedAllocFree_64K", ""),
     "fa.Arena::new(64KiB)+drop", "bu.Bump::with_capacity(64KiB)+drop", "fl.alloc+dealloc(64KiB,align4096)"),
]

# Extra Rust figures printed under the table (no .NET row of their own).
RUST_NOTES: list[tuple[str, str]] = []

# The F# workflow against the C# Transaction API, both from the F# benchmark project (goal: <= 1.3x).
FSHARP = [
    ("16 allocs + commit", "FSharp_Workflow16_Commit", "CSharp_Tx16_Commit"),
    ("16 allocs, then Error (rollback)", "FSharp_Workflow16_Error", "CSharp_Tx16_Rollback"),
]


def load_dotnet(results_dir):
    files = sorted(glob.glob(os.path.join(results_dir, "*-report-full.json")))
    if not files:
        sys.exit(f"sidebyside.py: no *-report-full.json in {results_dir}")
    rows, host, job = {}, None, set()
    for path in files:
        data = json.load(open(path, encoding="utf-8"))
        host = host or data["HostEnvironmentInfo"]
        for b in data["Benchmarks"]:
            stats = b.get("Statistics") or {}
            mem = b.get("Memory") or {}
            params = (b.get("Parameters") or "").replace("&", ", ")
            rows[(b["Type"], b["Method"], params)] = (stats.get("Median"), mem.get("BytesAllocatedPerOperation"))
            job.add(re.sub(r"\s*\[.*\]$", "", b["DisplayInfo"].split(": ", 1)[-1]))
    return rows, host, sorted(job)


def load_rust(path):
    medians = {}
    if path:
        for line in open(path, encoding="utf-8"):
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2:
                medians[parts[0]] = float(parts[1])
    return medians


def fmt(ns):
    if ns is None:
        return "-"
    if ns >= 1000:
        return f"{ns:,.0f}"
    if ns >= 100:
        return f"{ns:.0f}"
    if ns >= 10:
        return f"{ns:.1f}"
    return f"{ns:.2f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def table(dotnet, rust):
    have_rust = bool(rust)
    head = ["row", "FastArena", "managed B", ".NET floor", "FastArena / .NET floor"]
    if have_rust:
        head += ["fastarena-rs", "bumpalo", "Rust floor", "best Rust / Rust floor", "FastArena / Rust floor",
                 "**FastArena / best Rust**"]
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    misses = []
    for label, ours_key, floor_key, fa_name, bu_name, fl_name in ROWS:
        ours, managed = dotnet.get(ours_key, (None, None))
        if ours is None:
            continue
        floor = dotnet.get(floor_key, (None, None))[0]
        cells = [label, fmt(ours), "-" if managed is None else f"{managed:,.0f}", fmt(floor), ratio(ours, floor)]
        if have_rust:
            fa = rust.get(fa_name) if fa_name else None
            bu = rust.get(bu_name) if bu_name else None
            # A floor given as (name, n) is a whole iteration of n operations: per operation it is / n.
            fl = rust.get(fl_name[0]) / fl_name[1] if isinstance(fl_name, tuple) and fl_name[0] in rust else rust.get(fl_name) if isinstance(fl_name, str) else None
            crates = [x for x in (fa, bu) if x]
            best = min(crates) if crates else None
            verdict = "-"
            if best:
                verdict = f"**{ours / best:.2f}x**"
                if ours > best:
                    misses.append(label)
            cells += [fmt(fa), fmt(bu), fmt(fl), ratio(best, fl), ratio(ours, fl), verdict]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out), misses


def fsharp_table(dotnet):
    out = ["| F# workflow | `arena { }` | C# `Transaction` API | ratio (goal <= 1.30x) | managed B |", "|---|---:|---:|---:|---:|"]
    any_row = False
    for label, fs, cs in FSHARP:
        f, fb = dotnet.get(("FSharpWorkflowBenchmarks", fs, ""), (None, None))
        c, _ = dotnet.get(("FSharpWorkflowBenchmarks", cs, ""), (None, None))
        if f is None:
            continue
        any_row = True
        out.append(f"| {label} | {fmt(f)} | {fmt(c)} | {ratio(f, c)} | {'-' if fb is None else f'{fb:,.0f}'} |")
    return "\n".join(out) if any_row else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dotnet", required=True)
    ap.add_argument("--rust", default="")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--started", default="")
    ap.add_argument("--load", default="")
    ap.add_argument("--note", default="")
    args = ap.parse_args()

    dotnet, host, job = load_dotnet(args.dotnet)
    rust = load_rust(args.rust)
    body, misses = table(dotnet, rust)
    lines = [
        f"- Date: {args.started or 'unknown'}" + (f" ({args.note})" if args.note else ""),
        f"- Machine: {cpu_model()} (`grep -m1 'model name' /proc/cpuinfo`), "
        f"{host.get('LogicalCoreCount', '?')} logical cores; load {args.load or 'not recorded'}",
        f"- .NET: SDK {host.get('DotNetCliVersion', '?')}, runtime {host.get('RuntimeVersion', '?')}, "
        f"BenchmarkDotNet {host.get('BenchmarkDotNetVersion', '?')}, job: {'; '.join(job)}; median ns per operation",
        "- Rust: " + ("the peers harness (`/work/shared/peers/rust/run.sh`, fat LTO), median of its three "
                      "processes' medians, ns per operation, right after the .NET rows"
                      if rust else "not run in this pass (no `--peers`): no Rust column"),
        "- Command: `flock /work/bench.lock benchmarks/compare.sh --peers <folder with fastarena-rs, bumpalo, typed-arena>`",
        "",
        body,
        "",
    ]
    if rust:
        lines.append("Rows over 1.00x in the last column (FastArena slower than the best Rust crate): "
                     + (", ".join(misses) if misses else "none") + ".")
        for name, text in RUST_NOTES:
            if name in rust:
                lines.append(f"Also measured: {text}: {fmt(rust[name])} ns.")
        lines.append("")
    fs = fsharp_table(dotnet)
    if fs:
        lines += [fs, ""]
    text = open(args.doc, encoding="utf-8").read()
    pattern = re.compile(r"(<!-- BEGIN GENERATED: sidebyside -->\n).*?(<!-- END GENERATED: sidebyside -->)", re.S)
    if not pattern.search(text):
        sys.exit(f"sidebyside.py: {args.doc} has no '<!-- BEGIN GENERATED: sidebyside -->' ... END section")
    text = pattern.sub(lambda m: m.group(1) + "\n".join(lines).rstrip("\n") + "\n" + m.group(2), text)
    with open(args.doc, "w", encoding="utf-8") as f:
        f.write(text)
    print("\n".join(lines))
    print(f"sidebyside.py: wrote {os.path.relpath(args.doc, ROOT)}")


if __name__ == "__main__":
    main()
