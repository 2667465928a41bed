"""Extractor hooks -> per-layer timing over repeats (min / median / p95), plus the blobs of one run."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from engine import LayerEvent, Net
from engine.errors import ExtractionCancelled

from .environment import environment
from .macs import layer_macs
from .records import LayerRecord, RunProfile, TimingStats

# progress(done_steps, total_steps, message)
Progress = Callable[[int, int, str], None]


@dataclass
class ProfileResult:
    profile: RunProfile
    blobs: dict[str, np.ndarray] = field(default_factory=dict)  # every blob of the first timed run


class _Collector:
    """Hook that records one run's events; counts for progress; honours a cancel event."""

    def __init__(self, keep_arrays: bool, on_layer: Callable[[], None], cancel: threading.Event | None) -> None:
        self.events: list[LayerEvent] = []
        self.keep_arrays = keep_arrays
        self.on_layer = on_layer
        self.cancel = cancel
        self.extractor = None

    def __call__(self, event: LayerEvent) -> None:
        self.events.append(event)
        self.on_layer()
        if self.cancel is not None and self.cancel.is_set() and self.extractor is not None:
            self.extractor.cancel()


def profile_model(net: Net, inputs: dict[str, np.ndarray], *, repeats: int = 10, warmup: int = 1,
                  outputs: list[str] | None = None, capture_blobs: bool = False,
                  progress: Progress | None = None, cancel: threading.Event | None = None,
                  model_name: str = "", backend: str | None = None,
                  vulkan_device: int | str | None = None) -> ProfileResult:
    """Run `warmup` + `repeats` inferences, each in a fresh Extractor, and time every layer.

    `backend` ("cpu" / "vulkan") overrides net.opt.use_vulkan_compute for these runs only, so one Net can
    be profiled on both without changing its options. Raises ExtractionCancelled when `cancel` is set.
    """
    use_vulkan = net.opt.use_vulkan_compute if backend is None else backend == "vulkan"
    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    outputs = outputs or net.output_names()
    plan_len = len(_plan(net, inputs, outputs))
    total, done = (warmup + repeats) * plan_len, 0
    per_layer: dict[int, list[float]] = {}
    offsets: dict[int, list[float]] = {}
    first: dict[int, LayerEvent] = {}
    order: list[int] = []
    walls: list[float] = []
    blobs: dict[str, np.ndarray] = {}
    overheads: dict[str, list[float]] = {}  # Vulkan: upload, download, pipeline creation, waits... per run
    device, fallback = None, ""

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, "")

    for run in range(warmup + repeats):
        if cancel is not None and cancel.is_set():
            raise ExtractionCancelled("cancelled between runs")
        collector = _Collector(capture_blobs and run == warmup, step, cancel)
        ex = net.create_extractor()
        ex.opt.use_vulkan_compute = use_vulkan
        if vulkan_device is not None:
            ex.opt.vulkan_device = vulkan_device
        if capture_blobs and run == warmup:
            ex.opt.lightmode = False
        collector.extractor = ex
        ex.add_hook(collector)
        t0 = time.perf_counter_ns()
        for name, value in inputs.items():
            ex.input(name, value)
        ex.extract_many(outputs)
        wall = time.perf_counter_ns() - t0
        if run < warmup:
            continue
        walls.append(wall / 1e6)
        vulkan = getattr(ex, "vulkan_timing", None)
        fallback = getattr(ex, "vulkan_fallback_reason", "") or fallback
        if vulkan is not None:
            device = vulkan.device
            for name, ms in vulkan.overheads().items():
                overheads.setdefault(name, []).append(ms)
        for e in collector.events:
            if e.index not in per_layer:
                per_layer[e.index] = []
                offsets[e.index] = []
                order.append(e.index)
                first[e.index] = e
            per_layer[e.index].append(e.elapsed_ns / 1e6)
            offsets[e.index].append((e.start_ns - t0) / 1e6)
        if collector.keep_arrays:
            blobs.update({k: np.asarray(v) for k, v in inputs.items()})
            for e in collector.events:
                blobs.update(zip(e.top_names, e.outputs))
    records = []
    for li in order:
        e, layer = first[li], net.layers[li]
        records.append(LayerRecord(
            li, e.name, e.type, e.backend, TimingStats(tuple(per_layer[li])), e.input_shapes, e.output_shapes,
            e.top_names, layer_macs(layer, e.input_shapes, e.output_shapes),
            int(sum(w.size for w in layer.weights.values())), tuple(offsets[li])))
    backend = "vulkan" if device is not None else "cpu"
    env = environment(net.opt.num_threads, backend, device)
    if use_vulkan and fallback:
        env["vulkan_fallback"] = fallback  # asked for Vulkan, ran on the CPU: say why
    complete = {k: TimingStats(tuple(v)) for k, v in overheads.items() if len(v) == len(walls)}
    profile = RunProfile(
        model=model_name or net.param_path, input_shapes={k: tuple(v.shape) for k, v in inputs.items()},
        backend=backend, threads=net.opt.num_threads, repeats=repeats, warmup=warmup, layers=tuple(records),
        wall=TimingStats(tuple(walls)), environment=env, overheads=complete)
    return ProfileResult(profile, blobs)


def _plan(net: Net, inputs: dict[str, np.ndarray], outputs: list[str]) -> list[int]:
    ex = net.create_extractor()
    for name, value in inputs.items():
        ex.input(name, value)
    return ex.plan([net.blob_index(o) for o in outputs])
