"""trace.json: Chrome Trace Event format (Perfetto, chrome://tracing).

One process per engine; track (tid) 1 holds the runs, track 2 the layers; each repeat is laid out
after the previous one on one timeline. Vulkan profiles add a GPU queue track and a transfer track.
Times are microseconds, as the format requires.
"""
from __future__ import annotations

import json
from typing import Any

from .bundle import ReportBundle

PID = 1
RUN_TID, LAYER_TID, GPU_TID, TRANSFER_TID = 1, 2, 3, 4
RUN_GAP_US = 50.0


def _meta(name: str, tid: int | None, value: str) -> dict[str, Any]:
    event: dict[str, Any] = {"ph": "M", "pid": PID, "name": name, "args": {"name": value}}
    if tid is not None:
        event["tid"] = tid
    return event


def events(bundle: ReportBundle) -> list[dict[str, Any]]:
    p = bundle.profile
    out = [_meta("process_name", None, f"Layerscope {p.backend} — {bundle.model.name}"),
           _meta("thread_name", RUN_TID, "runs"), _meta("thread_name", LAYER_TID, f"layers ({p.backend})")]
    if p.backend == "vulkan":
        out += [_meta("thread_name", GPU_TID, "Vulkan queue"), _meta("thread_name", TRANSFER_TID, "transfers")]
    base = 0.0
    for run, wall_ms in enumerate(p.wall.samples_ms):
        out.append({"ph": "X", "pid": PID, "tid": RUN_TID, "name": f"run {run + 1}", "cat": "run",
                    "ts": round(base, 3), "dur": round(wall_ms * 1000, 3), "args": {"run": run + 1}})
        last_end = base
        for r in sorted(p.layers, key=lambda rec: rec.start_offsets_ms[run] if run < len(rec.start_offsets_ms) else 0):
            if run >= len(r.timing.samples_ms):
                continue
            start = base + (r.start_offsets_ms[run] * 1000 if run < len(r.start_offsets_ms) else 0.0)
            start = max(round(start, 3), last_end)  # one track never overlaps, even with timer rounding
            dur = round(r.timing.samples_ms[run] * 1000, 3)
            out.append({"ph": "X", "pid": PID, "tid": GPU_TID if r.backend == "vulkan" else LAYER_TID,
                        "name": r.name, "cat": r.type, "ts": start, "dur": dur,
                        "args": {"type": r.type, "backend": r.backend, "run": run + 1,
                                 "output_shape": list(r.output_shapes[0]) if r.output_shapes else []}})
            last_end = round(start + dur, 3)
        out += _transfers(p, run, base, wall_ms)
        base += wall_ms * 1000 + RUN_GAP_US
    return out


def _transfers(p: Any, run: int, base: float, wall_ms: float) -> list[dict[str, Any]]:
    """Uploads at the start of a run and downloads at its end, on the transfer track. Their durations
    are measured (per run); the runner records them as totals, so their places are the start and end."""
    out: list[dict[str, Any]] = []
    if p.backend != "vulkan":
        return out
    def ms(name: str) -> float:
        stats = p.overheads.get(name)
        return stats.samples_ms[run] if stats is not None and run < len(stats.samples_ms) else 0.0
    up = ms("upload") + ms("weights upload")
    down = ms("download")
    if up > 0:
        out.append({"ph": "X", "pid": PID, "tid": TRANSFER_TID, "name": "upload", "cat": "transfer",
                    "ts": round(base, 3), "dur": round(up * 1000, 3), "args": {"run": run + 1}})
    if down > 0:
        start = max(round(base + (wall_ms - down) * 1000, 3), round(base + up * 1000, 3))
        out.append({"ph": "X", "pid": PID, "tid": TRANSFER_TID, "name": "download", "cat": "transfer",
                    "ts": start, "dur": round(down * 1000, 3), "args": {"run": run + 1}})
    return out


def render(bundle: ReportBundle) -> str:
    doc = {"traceEvents": events(bundle), "displayTimeUnit": "ms",
           "otherData": {"model": bundle.model.name, "backend": bundle.profile.backend,
                         "threads": bundle.profile.threads, "repeats": bundle.profile.repeats}}
    return json.dumps(doc, indent=0)
