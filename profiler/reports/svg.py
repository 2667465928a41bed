"""Inline SVG pictures for the HTML report: the graph coloured by time, bar charts, histograms.
Every text goes through html.escape: model names are untrusted input."""
from __future__ import annotations

import math
from html import escape
from typing import Sequence

from .bundle import GraphPicture

HEAT = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]


def heat_colour(fraction: float) -> str:
    f = min(max(fraction, 0.0), 1.0) * (len(HEAT) - 1)
    i = min(int(f), len(HEAT) - 2)
    t = f - i
    a = [int(HEAT[i][k:k + 2], 16) for k in (1, 3, 5)]
    b = [int(HEAT[i + 1][k:k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def _is_dark(hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 110


def _path(points: Sequence[tuple[float, float]]) -> str:
    (x0, y0), parts = points[0], [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for x1, y1 in points[1:]:
        dy = (y1 - y0) / 2
        parts.append(f"C{x0:.1f},{y0 + dy:.1f} {x1:.1f},{y1 - dy:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(parts)


def graph_svg(graph: GraphPicture, times_ms: dict[int, float], shapes: dict[str, str]) -> str:
    hi = max(times_ms.values(), default=0.0)
    pad = 20
    out = [f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" role="img" '
           f'aria-label="model graph coloured by median time per layer" '
           f'viewBox="{-pad} {-pad} {graph.width + 2 * pad:.0f} {graph.height + 2 * pad:.0f}" '
           f'width="{graph.width + 2 * pad:.0f}" height="{graph.height + 2 * pad:.0f}">']
    out.append('<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" '
               'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#7a7a7a"/></marker></defs>')
    for e in graph.edges:
        if len(e.points) < 2:
            continue
        label = shapes.get(e.blob, "")
        mx, my = e.points[len(e.points) // 2] if len(e.points) > 2 else (
            (e.points[0][0] + e.points[-1][0]) / 2, (e.points[0][1] + e.points[-1][1]) / 2)
        out.append(f'<g><title>{escape(e.blob)} {escape(label)}</title>'
                   f'<path d="{_path(e.points)}" fill="none" stroke="#7a7a7a" stroke-width="1.2" '
                   f'marker-end="url(#arrow)"/>'
                   + (f'<text x="{mx + 4:.1f}" y="{my:.1f}" class="edge">{escape(label)}</text>' if label else "")
                   + "</g>")
    for n in graph.nodes:
        t = times_ms.get(n.index)
        fill = heat_colour(math.sqrt(t / hi)) if t is not None and hi > 0 else "#e8e8e8"
        stroke = "#c0392b" if not n.supported else "#555"
        dash = ' stroke-dasharray="4 2"' if not n.supported else ""
        time_text = f"{t:.3f} ms" if t is not None else ""
        ink = ' style="fill:#fff"' if _is_dark(fill) else ""  # stay readable on the hottest nodes
        out.append(
            f'<g><title>{escape(n.type)} {escape(n.name)} {escape(n.detail)} {escape(time_text)}</title>'
            f'<rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.width:.1f}" height="{n.height:.1f}" rx="4" '
            f'fill="{fill}" stroke="{stroke}"{dash}/>'
            f'<text x="{n.x + 6:.1f}" y="{n.y + 12:.1f}" class="ntype"{ink}>{escape(n.type)} {escape(time_text)}</text>'
            f'<text x="{n.x + 6:.1f}" y="{n.y + 24:.1f}" class="nname"{ink}>{escape(n.name)}</text>'
            + (f'<text x="{n.x + 6:.1f}" y="{n.y + 35:.1f}" class="ndetail"{ink}>{escape(n.detail)}</text>'
               if n.detail and n.height > 30 else "")
            + "</g>")
    out.append("</svg>")
    return "".join(out)


def hbar_svg(rows: Sequence[tuple[str, float]], unit: str = "ms", width: int = 640, colour: str = "#3a6ea5") -> str:
    """Horizontal bars with labels, e.g. the slowest layers or the per-type breakdown."""
    if not rows:
        return ""
    bar_h, label_w, value_w = 18, 220, 80
    hi = max(v for _, v in rows) or 1.0
    height = bar_h * len(rows) + 4
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="xMinYMin meet" role="img">']
    span = width - label_w - value_w
    for i, (label, v) in enumerate(rows):
        y = i * bar_h + 2
        w = max(1.0, span * v / hi)
        short = label if len(label) <= 34 else label[:32] + "…"
        out.append(f'<g><title>{escape(label)}: {v:.4f} {unit}</title>'
                   f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" class="lbl">{escape(short)}</text>'
                   f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 5}" fill="{colour}"/>'
                   f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" class="val">{v:.3f} {unit}</text></g>')
    out.append("</svg>")
    return "".join(out)


def column_svg(values: Sequence[float], labels: Sequence[str], width: int = 900, height: int = 160) -> str:
    """All layers in execution order as thin columns (the shape of the run at a glance)."""
    if not values:
        return ""
    hi = max(values) or 1.0
    step = width / len(values)
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 16}" '
           f'preserveAspectRatio="none" role="img" aria-label="median time of every layer in execution order">']
    for i, (v, label) in enumerate(zip(values, labels)):
        h = max(0.5, height * v / hi)
        out.append(f'<rect x="{i * step:.2f}" y="{height - h:.2f}" width="{max(step * 0.8, 0.5):.2f}" '
                   f'height="{h:.2f}" fill="#3a6ea5"><title>{escape(label)}: {v:.4f} ms</title></rect>')
    out.append(f'<text x="0" y="{height + 13}" class="lbl">first layer</text>'
               f'<text x="{width}" y="{height + 13}" text-anchor="end" class="lbl">last layer</text></svg>')
    return "".join(out)


def histogram_svg(counts: Sequence[float], edges_max: float, lines: Sequence[tuple[str, float, str]],
                  width: int = 420, height: int = 140, log: bool = True) -> str:
    """A |x| histogram over [0, edges_max] with labelled vertical threshold lines (int8 section)."""
    if not counts:
        return ""
    vals = [math.log10(c + 1) if log else c for c in counts]
    hi = max(vals) or 1.0
    step = width / len(vals)
    out = [f'<svg class="hist" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 14}" role="img">']
    pts = " ".join(f"{i * step:.2f},{height - height * v / hi:.2f}" for i, v in enumerate(vals))
    out.append(f'<polyline points="0,{height} {pts} {width},{height}" fill="#9ecae1" stroke="#3182bd" '
               f'stroke-width="0.8"/>')
    for k, (name, value, colour) in enumerate(lines):
        x = width * min(max(value / edges_max, 0), 1) if edges_max > 0 else 0
        # labels of lines in the right half go to the left of the line, so none is cut at the edge
        anchor, tx = ("end", x - 3) if x > width / 2 else ("start", x + 3)
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="{colour}" stroke-width="1.5"/>'
                   f'<text x="{tx:.1f}" y="{10 + 11 * k}" text-anchor="{anchor}" class="lbl" fill="{colour}">'
                   f'{escape(name)} {value:.4g}</text>')
    out.append(f'<text x="0" y="{height + 12}" class="lbl">0</text><text x="{width}" y="{height + 12}" '
               f'text-anchor="end" class="lbl">{edges_max:.4g}</text></svg>')
    return "".join(out)


def error_columns_svg(rows: Sequence[tuple[str, float | None, float | None, bool]], width: int = 900,
                      height: int = 150) -> str:
    """SNR (dB) per row in execution order (int8 section): a bar for the accumulated SNR (darker for layers
    that run int8), a red tick for the isolated one. Rows are (label, accumulated, isolated, int8)."""
    values = [v for _, a, i, _ in rows for v in (a, i) if v is not None and math.isfinite(v)]
    if not values:
        return ""
    hi, lo = max(max(values), 0.0), min(min(values), 0.0)
    span = (hi - lo) or 1.0
    step = width / len(rows)

    def y(v: float) -> float:
        return height * (hi - v) / span

    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 16}" '
           f'preserveAspectRatio="none" role="img" aria-label="SNR of int8 against fp32 per layer">']
    for k, (label, acc, iso, int8) in enumerate(rows):
        x = k * step
        if acc is not None and math.isfinite(acc):
            top, bottom = sorted((y(acc), y(0.0)))
            out.append(f'<rect x="{x:.2f}" y="{top:.2f}" width="{max(step * 0.8, 0.5):.2f}" '
                       f'height="{max(bottom - top, 0.5):.2f}" fill="{"#3a6ea5" if int8 else "#9ecae1"}">'
                       f'<title>{escape(label)}: {acc:.2f} dB accumulated</title></rect>')
        if iso is not None and math.isfinite(iso):
            out.append(f'<rect x="{x:.2f}" y="{y(iso) - 1:.2f}" width="{max(step * 0.8, 0.5):.2f}" height="2" '
                       f'fill="#d62728"><title>{escape(label)}: {iso:.2f} dB isolated</title></rect>')
    out.append(f'<text x="0" y="{height + 13}" class="lbl">first layer · {hi:.0f} dB at the top</text>'
               f'<text x="{width}" y="{height + 13}" text-anchor="end" class="lbl">last layer</text></svg>')
    return "".join(out)
