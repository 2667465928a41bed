"""report.html: one self-contained file (inline CSS, SVG and a few lines of inline JS; no network,
no fonts to fetch). Reads on a phone (fluid layout) and on paper (print styles)."""
from __future__ import annotations

from html import escape
from typing import Any

from .bundle import ReportBundle
from .svg import column_svg, error_columns_svg, graph_svg, hbar_svg, histogram_svg

CSS = """
:root{--fg:#1d1d1d;--muted:#666;--line:#ddd;--accent:#3a6ea5}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:16px}h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
.muted{color:var(--muted)}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin:12px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px}.card b{display:block;font-size:1.3em}
.scroll{overflow:auto;max-height:75vh;background:#fff;border:1px solid var(--line);border-radius:6px}
.wide{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff;font-size:.9em}
th,td{padding:3px 6px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}th{background:#f0f0f0;position:sticky;top:0;cursor:pointer}
td.n{text-align:right;font-variant-numeric:tabular-nums}svg text{font:9px sans-serif}svg .ntype{font-weight:bold}
svg .edge{fill:#555;font-size:7px}svg.chart{width:100%;height:auto;max-width:900px}svg.hist{width:100%;max-width:420px;height:auto}
.legend{display:flex;align-items:center;gap:6px;font-size:.85em}.legend span{display:inline-block;width:160px;height:10px;background:linear-gradient(90deg,#fff5eb,#fdd0a2,#fd8d3c,#d94801,#7f2704);border:1px solid #999}
.hists{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}.hists figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px}
figcaption{font-size:.85em}@media (max-width:600px){main{padding:8px}th,td{padding:2px 4px}}
@media print{body{background:#fff}.scroll{max-height:none;overflow:visible;border:none}th{position:static}h2{break-after:avoid}tr,figure{break-inside:avoid}}
"""

# Click a header to sort its table (numbers numerically). Inline: the report must work offline.
SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th,col){th.addEventListener('click',function(){
var tb=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(tb.rows),asc=th.dataset.asc!=='1';
rows.sort(function(a,b){var x=a.cells[col].dataset.v||a.cells[col].textContent,y=b.cells[col].dataset.v||b.cells[col].textContent;
var p=parseFloat(x),q=parseFloat(y);var r=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return asc?r:-r;});
rows.forEach(function(r){tb.appendChild(r);});th.dataset.asc=asc?'1':'0';});});
"""


def _e(v: Any) -> str:
    return escape(str(v), quote=True)


def _shape(s: tuple[int, ...]) -> str:
    return "×".join(map(str, s))


def _table(headers: list[str], rows: list[list[Any]], numeric_from: int = 99) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if isinstance(v, float):
                cells.append(f'<td class="n" data-v="{v!r}">{v:.4g}</td>')
            elif isinstance(v, int) and not isinstance(v, bool) and i >= numeric_from:
                cells.append(f'<td class="n">{v}</td>')
            else:
                cells.append(f"<td>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="wide"><table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _summary(b: ReportBundle) -> str:
    p, w = b.profile, b.profile.wall
    cards = [("median", f"{w.median:.2f} ms"), ("min", f"{w.min:.2f} ms"), ("p95", f"{w.p95:.2f} ms"),
             ("layers", str(b.model.layer_count)), ("backend", p.backend), ("threads", str(p.threads)),
             ("runs", f"{p.repeats} (+{p.warmup} warm-up)")]
    return '<div class="cards">' + "".join(f'<div class="card"><span class="muted">{_e(k)}</span><b>{_e(v)}</b></div>'
                                          for k, v in cards) + "</div>"


def _environment(b: ReportBundle) -> str:
    env = dict(b.profile.environment)
    env["input shapes"] = ", ".join(f"{k}: {_shape(v)}" for k, v in b.profile.input_shapes.items())
    env["param file"] = b.model.param_path
    env["weights"] = b.model.model_path
    return _table(["", ""], [[k, v] for k, v in env.items()])


def _wall_parts(b: ReportBundle) -> str:
    """Vulkan: where the wall time went (layers on the GPU, CPU fallbacks, transfers, waits...), medians."""
    p = b.profile
    if not p.overheads:
        return ""
    gpu = sum(r.timing.median for r in p.layers if r.backend == "vulkan")
    cpu = sum(r.timing.median for r in p.layers if r.backend != "vulkan")
    rows = [["layers on the GPU (timestamp queries)", gpu], ["layers on the CPU (fallback)", cpu]]
    rows += [[name, stats.median] for name, stats in p.overheads.items()]
    total = sum(v for _, v in rows)
    rows.append(["sum of the parts", total])
    rows.append(["measured wall time (median)", p.wall.median])
    return ("<h2>Where the wall time went</h2>"
            f"<p class=\"muted\">Medians over {p.repeats} runs; the parts add up to "
            f"{100 * total / p.wall.median if p.wall.median else 0:.1f} % of the measured wall time.</p>"
            + _table(["part", "median ms"], rows, numeric_from=1))


THRESHOLD_COLOURS = {"table": "#d62728", "kl": "#2ca02c", "aciq": "#9467bd", "eq": "#ff7f0e",
                     "percentile": "#8c564b", "max": "#555555"}
DRAW_BINS = 256  # the 2048 calibration bins summed 8 by 8 for the picture (the JSON keeps all 2048)


def _metric_cells(m: dict[str, Any] | None) -> list[Any]:
    if m is None:
        return ["—"] * 5
    cos = m["cosine"]
    rest = [m[k] if m[k] is not None else ("∞" if k == "snr_db" else "—")  # JSON null: SNR +inf = identical
            for k in ("snr_db", "max_abs", "mean_abs", "rel_l2")]
    return [f"{cos:.6f}" if cos is not None else "—", *rest]


def _int8_histogram(h: dict[str, Any]) -> str:
    counts = h["counts"]
    group = max(1, len(counts) // DRAW_BINS)
    drawn = [sum(counts[i:i + group]) for i in range(0, len(counts), group)]
    absmax = h["absmax"] or 0.0
    lines = [(k, v, THRESHOLD_COLOURS.get(k, "#333")) for k, v in h["thresholds"].items() if v is not None]
    clipped = h.get("clipped_fraction")
    clip = f", {100 * clipped:.3f}% above the table's threshold" if clipped is not None else ""
    return (f'<figure>{histogram_svg(drawn, absmax, lines)}<figcaption><b>{_e(h["blob"])}</b> → {_e(h["layer"])}: '
            f'|x| histogram (log counts), absmax {absmax:.4g}{clip}</figcaption></figure>')


def _int8_section(int8: dict[str, Any] | None) -> str:
    if not int8:
        return ""
    parts = ["<h2>int8: FP32 vs int8</h2>"]
    if int8.get("summary"):
        parts.append(f"<p>{_e(int8['summary'])}</p>")
    for w in int8.get("warnings", []):
        parts.append(f'<p class="muted">Table: {_e(w)}</p>')
    errors = int8.get("errors")
    if errors:
        parts.append('<h3>Error per layer</h3><p class="muted">Execution order. <i>Accumulated</i>: the whole int8 '
                     'graph against the whole fp32 graph. <i>Isolated</i>: each int8 layer alone, fed the fp32 '
                     'inputs. SNR ∞ = identical.</p>')
        parts.append(error_columns_svg([(f'{e["layer"]} ({e["blob"]})', (e["accumulated"] or {}).get("snr_db"),
                                         (e["isolated"] or {}).get("snr_db"), e["quantised"]) for e in errors]))
        parts.append('<p class="muted">SNR per layer: bars accumulated (dark: runs int8), red ticks isolated.</p>')
        rows = [[e["index"], e["layer"], e["type"], e["blob"], "int8" if e["quantised"] else "",
                 *_metric_cells(e["accumulated"]), *_metric_cells(e["isolated"])[:2]] for e in errors]
        parts.append(_table(["#", "layer", "type", "blob", "runs", "cosine", "SNR dB", "max |err|", "mean |err|",
                             "rel L2", "isolated cosine", "isolated SNR dB"], rows, numeric_from=0))
    hists = int8.get("histograms", [])
    if hists:
        legend = " ".join(f'<span style="color:{c}">■ {_e(k)}</span>' for k, c in THRESHOLD_COLOURS.items()
                          if any(k in h["thresholds"] for h in hists))
        parts.append(f'<h3>Calibrated blobs</h3><p class="muted">|x| of each int8 layer\'s input on the profiled '
                     f'input, with thresholds: {legend}. <i>table</i> is 127 / the table\'s scale; the others are '
                     f'what each method gives for this input alone.</p>')
        parts.append('<div class="hists">' + "".join(_int8_histogram(h) for h in hists) + "</div>")
    return "".join(parts)


def render(b: ReportBundle) -> str:
    p = b.profile
    times = {r.index: r.timing.median for r in p.layers}
    shapes = {}
    for r in p.layers:
        for name, s in zip(r.top_names, r.output_shapes):
            shapes[name] = _shape(s)
    slowest = sorted(p.layers, key=lambda r: -r.timing.median)[:25]
    layer_rows = [[r.index, r.name, r.type, r.backend, r.timing.median, r.timing.min, r.timing.p95, p.share(r),
                   ", ".join(_shape(s) for s in r.input_shapes), ", ".join(_shape(s) for s in r.output_shapes),
                   r.macs / 1e6, r.weight_count] for r in p.layers]
    blob_rows = [[s.name, _shape(s.shape), s.dtype, s.min, s.max, s.mean, s.std, s.zeros_pct, s.nan_count,
                  s.inf_count] for s in b.blobs]
    unsupported = (f'<p class="muted">Layers of types Layerscope cannot run yet (dashed red in the graph): '
                   f'{_e(", ".join(b.model.unsupported))}</p>') if b.model.unsupported else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Layerscope report — {_e(b.model.name)}</title><style>{CSS}</style></head>
<body><main>
<h1>{_e(b.model.name)}</h1>
<p class="muted">Layerscope profile, {_e(b.created)} — {_e(p.environment.get("cpu", ""))}</p>
{_summary(b)}
<p>Sum of per-layer medians: {p.layer_total_ms:.3f} ms; the rest of the wall time is the engine's own work
between layers. Every time is a statistic over {p.repeats} runs, never a single sample.</p>
{_wall_parts(b)}
<h2>Environment</h2>{_environment(b)}
<h2>Graph, coloured by time</h2>
<div class="legend">cheap <span></span> expensive (√ of median time) · {b.model.layer_count} layers, {b.model.blob_count} blobs</div>
{unsupported}<div class="scroll">{graph_svg(b.graph, times, shapes)}</div>
<h2>Time per layer</h2>
<p class="muted">Every layer in execution order:</p>{column_svg([r.timing.median for r in p.layers], [r.name for r in p.layers])}
<p class="muted">The {len(slowest)} slowest layers (median):</p>{hbar_svg([(f"{r.name} ({r.type})", r.timing.median) for r in slowest])}
<h2>Time per layer type</h2>{hbar_svg([(f"{t} ×{n}", ms) for t, n, ms in p.by_type()], colour="#2f7f8f")}
<h2>Layers</h2>
{_table(["#", "layer", "type", "backend", "median ms", "min ms", "p95 ms", "% total", "inputs", "outputs", "MMACs", "params"], layer_rows, numeric_from=0)}
<h2>Blob statistics</h2>
{_table(["blob", "shape", "dtype", "min", "max", "mean", "std", "zeros %", "NaN", "Inf"], blob_rows, numeric_from=8)}
{_int8_section(b.int8)}
<p class="muted">Generated by Layerscope. Self-contained: no network, scripts or fonts are loaded.</p>
</main><script>{SORT_JS}</script></body></html>
"""
