#!/usr/bin/env python3
"""Draws docs/workloads.svg from the text output of the demo (./build.sh demo > run.txt).

    python3 docs/workloads_chart.py run.txt docs/workloads.svg

Standard library only. Reads the summary tables the demo prints and draws two panels: the arena's
speed-up over each baseline (time of the baseline / time of the arena; right of 1x means the arena is
faster), and the arena's memory as a fraction of each baseline's (left of 1x means less), with the
issue's goals as red ticks.
"""
import re
import sys


def tables(text):
    """Maps a summary title to (headers, {label: cells})."""
    result = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("Summary: "):
            continue
        rows = [l for l in lines[i + 1:i + 40] if l.startswith("|")]
        block = []
        for l in lines[i + 1:]:
            if l.startswith("|") or l.startswith("+"):
                block.append(l)
            else:
                break
        rows = [[c.strip() for c in l.strip("|").split("|")] for l in block if l.startswith("|")]
        if not rows:
            continue
        headers, body = rows[0], rows[1:]
        result[line] = (headers, {r[0]: r[1:] for r in body})
    return result


def number(cell):
    """A number from a cell such as '2.50x', '1,234 ms', '12 MB', '34.5 µs'."""
    m = re.match(r"([\d,]+(?:\.\d+)?)\s*(x|ms|µs|s|MB|KB|B)?", cell)
    if not m:
        return None
    v = float(m.group(1).replace(",", ""))
    unit = m.group(2) or ""
    return v * {"MB": 1 << 20, "KB": 1 << 10, "ms": 1000.0, "s": 1e6}.get(unit, 1.0)


def find(ts, prefix):
    for title, t in ts.items():
        if title.startswith(prefix):
            return t
    return None


def bars(ts):
    speed, memory = [], []
    req = find(ts, "Summary: requests")
    if req:
        speed.append(("requests vs GC classes", number(req[1]["speed vs GC classes"][0]), None))
    for prefix, name in (("Summary: JSON, small", "JSON small"), ("Summary: JSON, one large", "JSON large")):
        t = find(ts, prefix)
        if not t:
            continue
        headers, rows = t
        ratios = rows["FastArena.Json speed vs this"]
        goals = {"JsonNode": 3.0, "JsonDocument": 1.0}
        for h, r in zip(headers[2:], ratios[1:]):
            speed.append((f"{name} vs {h}", number(r), goals.get(h)))
        if "memory held by the parsed document" in rows:
            held = [number(c) for c in rows["memory held by the parsed document"]]
            for h, v in zip(headers[2:], held[1:]):
                # JsonDocument's rows live in ArrayPool buffers that existed before: its "held" is near 0
                # and says nothing, so it is left out of the chart (the table shows it).
                if v and v >= 4096:
                    memory.append((f"{name}: memory held vs {h}", held[0] / v, None))
    comp = find(ts, "Summary: compiler")
    if comp:
        rows = comp[1]
        speed.append(("compiler vs GC classes", number(rows["speed vs GC classes"][0]), 2.0))
        a, g = number(rows["above the process at start"][0]), number(rows["above the process at start"][1])
        if a is not None and g:
            memory.append(("compiler: peak working set vs GC", a / g, 0.5))
    return speed, memory


def svg(speed, memory, note):
    width, left, bar_h, gap = 900, 300, 18, 8
    scale_max = max([v for _, v, _ in speed + memory if v] + [3.5]) * 1.1

    def x(v):
        return left + (width - left - 40) * v / scale_max

    out, y = [], 40
    out.append(f'<text x="10" y="20" font-size="15" font-weight="bold">FastArena workloads: arena vs the usual .NET way</text>')
    for title, items, better in (("Speed-up (baseline time / arena time; right of 1x: arena faster)", speed, "right"),
                                 ("Memory (arena / baseline; left of 1x: arena uses less)", memory, "left")):
        out.append(f'<text x="10" y="{y + 14}" font-size="13" font-weight="bold">{title}</text>')
        y += 24
        top = y
        for label, v, goal in items:
            v = v or 0
            good = (v >= (goal or 1.0)) if better == "right" else (v <= (goal or 1.0))
            color = "#2e7d32" if good else "#c62828"
            out.append(f'<text x="{left - 8}" y="{y + 13}" font-size="12" text-anchor="end">{label}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{max(1, x(v) - left):.1f}" height="{bar_h}" fill="{color}" opacity="0.8"/>')
            out.append(f'<text x="{x(v) + 4:.1f}" y="{y + 13}" font-size="12">{v:.2f}x</text>')
            if goal:
                out.append(f'<line x1="{x(goal):.1f}" y1="{y - 2}" x2="{x(goal):.1f}" y2="{y + bar_h + 2}" stroke="red" stroke-width="2"/>')
            y += bar_h + gap
        out.append(f'<line x1="{x(1):.1f}" y1="{top - 4}" x2="{x(1):.1f}" y2="{y}" stroke="#555" stroke-dasharray="4,3"/>')
        out.append(f'<text x="{x(1):.1f}" y="{y + 12}" font-size="11" text-anchor="middle">1x</text>')
        y += 30
    out.append(f'<text x="10" y="{y}" font-size="11" fill="#555">red tick: the goal; green: goal met (or, without a goal, the arena wins); red: missed. {note}</text>')
    y += 10
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 10}" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="white"/>' + "".join(out) + "</svg>\n")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    text = open(sys.argv[1], encoding="utf-8").read()
    ts = tables(text)
    speed, memory = bars(ts)
    if not speed:
        print("workloads_chart.py: no summary tables found", file=sys.stderr)
        return 1
    note = sys.argv[3] if len(sys.argv) > 3 else ""
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(svg(speed, memory, note))
    for label, v, goal in speed + memory:
        print(f"{label}: {v:.2f}x" + (f" (goal {goal}x)" if goal else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
