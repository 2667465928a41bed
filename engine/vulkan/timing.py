"""Where a Vulkan run's time went, in parts that add up to its wall time.

Host time is charged by a Clock in consecutive intervals (recording, uploads, CPU fallback layers,
pipeline creation, ...). The interval from submit to fence is split with the GPU timestamps: each
op's GPU time goes to its layer (or to upload / download), and what is left is `wait` (submission
latency, scheduling, idle gaps). So the parts cover the run without overlap; `other_host_ms` is the
runner's own bookkeeping, reported rather than hidden.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass


class Clock:
    """Charges the time since the previous checkpoint to a named bucket."""

    def __init__(self, start: int | None = None) -> None:
        self.start = self.t = time.perf_counter_ns() if start is None else start
        self.ns: defaultdict[str, int] = defaultdict(int)

    def charge(self, bucket: str) -> int:
        now = time.perf_counter_ns()
        d = now - self.t
        self.ns[bucket] += d
        self.t = now
        return d


@dataclass(frozen=True)
class LayerTiming:
    index: int  # layer index in the model
    name: str
    type: str
    backend: str  # "vulkan" (GPU time from timestamp queries) or "cpu-fallback" (host time)
    ms: float
    record_ms: float = 0.0  # host time spent recording its commands (vulkan layers)


@dataclass(frozen=True)
class VulkanRunTiming:
    """One extract() on the Vulkan backend."""

    device: str
    wall_ms: float  # the runner's own start-to-end time
    layers: tuple[LayerTiming, ...]  # execution order
    upload_ms: float  # staging copies on the host + GPU copy time (blobs)
    weights_upload_ms: float  # first run on a device: the model's weights
    download_ms: float  # GPU copy time + host copies out of readback buffers
    pipeline_ms: float  # pipeline creation (first use of a shader on a device)
    setup_ms: float  # loading Vulkan, creating the device (first run), the net's twins, the BLAS thread limit
    plan_ms: float  # host: choosing GPU or CPU per layer (shape checks; gather tables on a new shape)
    record_ms: float  # host: descriptor sets, command recording
    allocate_ms: float  # host: buffer allocation
    wait_ms: float  # submit-to-fence time not covered by the ops' timestamps (+ work discarded for size)
    hooks_ms: float  # the extractor's hooks (profilers, viewers)
    other_host_ms: float  # bookkeeping of the runner itself
    submits: int
    gpu_timestamps: bool = True  # False: the device has no timestamps, GPU time is all in `wait`

    @property
    def vulkan_layers_ms(self) -> float:
        return sum(r.ms for r in self.layers if r.backend == "vulkan")

    @property
    def cpu_fallback_ms(self) -> float:
        return sum(r.ms for r in self.layers if r.backend != "vulkan")

    def parts(self) -> dict[str, float]:
        """Named parts of the wall time, in milliseconds; they sum to `accounted_ms`."""
        return {"vulkan layers": self.vulkan_layers_ms, "cpu fallback layers": self.cpu_fallback_ms,
                "upload": self.upload_ms, "weights upload": self.weights_upload_ms, "download": self.download_ms,
                "pipeline creation": self.pipeline_ms, "setup": self.setup_ms, "planning": self.plan_ms,
                "recording": self.record_ms, "allocation": self.allocate_ms, "wait": self.wait_ms,
                "hooks": self.hooks_ms, "other host": self.other_host_ms}

    def overheads(self) -> dict[str, float]:
        """The parts that are not layers (for RunProfile.overheads)."""
        return {k: v for k, v in self.parts().items() if not k.endswith("layers")}

    @property
    def accounted_ms(self) -> float:
        return sum(self.parts().values())

    def where(self) -> dict[str, str]:
        """Layer name -> backend it ran on."""
        return {r.name: r.backend for r in self.layers}
