"""layers.csv: one row per layer, for spreadsheets (RFC 4180 quoting via the csv module)."""
from __future__ import annotations

import csv
import io

from .bundle import ReportBundle

HEADER = ["index", "name", "type", "backend", "median_ms", "min_ms", "p95_ms", "max_ms", "mean_ms", "share_pct",
          "repeats", "output_shape", "input_shapes", "macs", "weight_count"]


def _shape(s: tuple[int, ...]) -> str:
    return "x".join(map(str, s))


def render(bundle: ReportBundle) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    p = bundle.profile
    for r in p.layers:
        t = r.timing
        w.writerow([r.index, r.name, r.type, r.backend, f"{t.median:.6f}", f"{t.min:.6f}", f"{t.p95:.6f}",
                    f"{t.max:.6f}", f"{t.mean:.6f}", f"{p.share(r):.4f}", len(t.samples_ms),
                    _shape(r.output_shapes[0]) if r.output_shapes else "",
                    ";".join(_shape(s) for s in r.input_shapes), r.macs, r.weight_count])
    return out.getvalue()
