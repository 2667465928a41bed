"""profile.json: the whole bundle as data, validated by profile.schema.json beside this file."""
from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..records import LayerRecord, TimingStats
from .bundle import SCHEMA_VERSION, ReportBundle

SCHEMA_PATH = Path(__file__).with_name("profile.schema.json")


def _finite(v: float) -> float | None:
    """JSON has no NaN/Inf: they become null."""
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def _timing(t: TimingStats) -> dict[str, Any]:
    return {**{k: _finite(v) for k, v in t.as_dict().items()}, "samples": [_finite(v) for v in t.samples_ms]}


def _layer(r: LayerRecord, share: float) -> dict[str, Any]:
    return {
        "index": r.index, "name": r.name, "type": r.type, "backend": r.backend,
        "time_ms": _timing(r.timing), "share_pct": _finite(share),
        "input_shapes": [list(s) for s in r.input_shapes], "output_shapes": [list(s) for s in r.output_shapes],
        "tops": list(r.top_names), "macs": r.macs, "weight_count": r.weight_count,
        "start_offsets_ms": [_finite(v) for v in r.start_offsets_ms],
    }


def to_document(bundle: ReportBundle) -> dict[str, Any]:
    p, m = bundle.profile, bundle.model
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"Layerscope {p.environment.get('layerscope', '')}".strip(),
        "created": bundle.created,
        "model": {
            "name": m.name, "param": m.param_path, "weights": m.model_path, "layers": m.layer_count,
            "blobs": m.blob_count, "inputs": list(m.inputs), "outputs": list(m.outputs),
            "type_counts": {t: n for t, n in m.type_counts}, "unsupported_layers": list(m.unsupported),
        },
        "environment": p.environment,
        "run": {
            "backend": p.backend, "threads": p.threads, "repeats": p.repeats, "warmup": p.warmup,
            "input_shapes": {k: list(v) for k, v in p.input_shapes.items()},
            "wall_ms": _timing(p.wall), "layers_total_ms": _finite(p.layer_total_ms),
            "overheads_ms": {k: _timing(v) for k, v in p.overheads.items()},
        },
        "layers": [_layer(r, p.share(r)) for r in p.layers],
        "by_type": [{"type": t, "layers": n, "median_ms_sum": _finite(ms)} for t, n, ms in p.by_type()],
        "blobs": [{**asdict(s), "shape": list(s.shape), "min": _finite(s.min), "max": _finite(s.max),
                   "mean": _finite(s.mean), "std": _finite(s.std)} for s in bundle.blobs],
        "graph": {
            "width": bundle.graph.width, "height": bundle.graph.height,
            "nodes": [asdict(n) for n in bundle.graph.nodes],
            "edges": [{"src": e.src, "dst": e.dst, "blob": e.blob, "points": [list(pt) for pt in e.points]}
                      for e in bundle.graph.edges],
        },
        "int8": bundle.int8,
    }


def render(bundle: ReportBundle) -> str:
    return json.dumps(to_document(bundle), indent=1, allow_nan=False)


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
