"""Backends the app can run on (the CPU engine, each Vulkan device) and the CPU-vs-Vulkan comparison of
one model, layer by layer. Qt-free; the comparison is a job for a worker."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from engine import Net
from profiler.records import RunProfile
from profiler.timing import profile_model

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BackendChoice:
    kind: str  # "cpu" or "vulkan"
    device: int | None  # Vulkan device index
    label: str
    available: bool = True
    reason: str = ""  # why a Vulkan entry is not available


CPU = BackendChoice("cpu", None, "CPU (numpy)")


def available_backends() -> list[BackendChoice]:
    """The CPU engine, then every Vulkan device; without Vulkan one disabled entry that says why."""
    choices = [CPU]
    try:
        from engine.vulkan import last_error, list_devices
        devices = list_devices()
    except Exception as e:  # noqa: BLE001 - a broken binding must not stop the app
        return choices + [BackendChoice("vulkan", None, "Vulkan: not available", False, str(e))]
    for d in devices:
        choices.append(BackendChoice("vulkan", d.index, f"Vulkan: {d.label}"))
    if not devices:
        err = last_error()
        choices.append(BackendChoice("vulkan", None, "Vulkan: not available", False,
                                     str(err) if err else "no Vulkan device found"))
    return choices


@dataclass(frozen=True)
class LayerPair:
    index: int
    name: str
    type: str
    cpu_ms: float
    vulkan_ms: float | None
    ran_on: str  # "vulkan" or "cpu-fallback" on the Vulkan side

    @property
    def ratio(self) -> float | None:
        """Vulkan time / CPU time (< 1: the GPU is faster)."""
        return self.vulkan_ms / self.cpu_ms if self.vulkan_ms is not None and self.cpu_ms > 0 else None


@dataclass(frozen=True)
class BackendComparison:
    cpu: RunProfile
    vulkan: RunProfile
    rows: tuple[LayerPair, ...]  # CPU execution order

    @staticmethod
    def of(cpu: RunProfile, vulkan: RunProfile) -> "BackendComparison":
        gpu = {r.index: r for r in vulkan.layers}
        rows = tuple(LayerPair(r.index, r.name, r.type, r.timing.median,
                               gpu[r.index].timing.median if r.index in gpu else None,
                               gpu[r.index].backend if r.index in gpu else "")
                     for r in cpu.layers)
        return BackendComparison(cpu, vulkan, rows)


@dataclass
class BackendCompareJob:
    """The same input, N runs on the CPU engine, then N on one Vulkan device."""

    net: Net
    inputs: dict[str, np.ndarray]
    repeats: int
    device: int | None
    model_name: str
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self, progress: Progress | None = None) -> BackendComparison:
        def half(offset: int) -> Progress | None:
            if progress is None:
                return None
            return lambda done, total, msg: progress(offset * total + done, 2 * total, msg)
        cpu = profile_model(self.net, self.inputs, repeats=self.repeats, warmup=1, progress=half(0),
                            cancel=self.cancel_event, model_name=self.model_name, backend="cpu")
        gpu = profile_model(self.net, self.inputs, repeats=self.repeats, warmup=1, progress=half(1),
                            cancel=self.cancel_event, model_name=self.model_name, backend="vulkan",
                            vulkan_device=self.device)
        return BackendComparison.of(cpu.profile, gpu.profile)
