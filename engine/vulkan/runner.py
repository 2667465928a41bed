"""Runs an Extractor's plan on the GPU: Vulkan twins where a layer has one, the CPU layer otherwise.

Blobs live on the device between GPU layers; a CPU-fallback layer gets its inputs downloaded (the
segment is submitted first) and its outputs are uploaded when a GPU layer needs them. Any Vulkan
fault releases every GPU object and returns False, and the extractor reruns the plan on the CPU.
"""
from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import EngineError, LayerRuntimeError
from ..hooks import LayerEvent
from ..threads import apply_thread_limit
from .binding import VulkanUnavailable, error_kind
from .context import Context, Kernel
from .session import RUN_LOCK, GpuStore, NetState, fail, get_context, net_state
from .memory import DEVICE, READBACK, UPLOAD, GpuTensor
from .recorder import Flushed
from .timing import Clock, LayerTiming, VulkanRunTiming

if TYPE_CHECKING:
    from ..extractor import Extractor
    from ..layer import Layer

class TooLarge(Exception):
    """A buffer beyond the device's maxStorageBufferRange: that layer runs on the CPU instead."""


def _supports(twin: Any, infos: list[tuple[tuple[int, ...], np.dtype]]) -> bool:
    """Whether the twin takes these inputs; a twin puzzled by odd shapes leaves them to the CPU layer,
    which raises the clear error."""
    try:
        return bool(twin.vk_supports(infos))
    except Exception:
        return False


def _placeholder(t: GpuTensor) -> np.ndarray:
    """Shape-only stand-in for a blob that stayed on the GPU (hooks get values when lightmode is off)."""
    return np.broadcast_to(np.array(np.nan, t.dtype), t.shape)


def run_extractor(ex: "Extractor", order: list[int], targets: set[int], started: int | None = None) -> bool:
    """Run `order` on the GPU; False when Vulkan is off, unavailable or faulted: the CPU runs then.
    `started` (perf_counter_ns) is when the extractor began, so that importing the backend counts too."""
    if not ex.opt.use_vulkan_compute:  # switched off with blobs still on the device: drop them
        if isinstance(ex._gpu, GpuStore):
            ex._gpu.drop_all()
        ex._gpu = {}
        return False
    with RUN_LOCK:  # one command buffer per device: runs from several threads take turns
        return _run_locked(ex, order, targets, started)


def fetch(ex: "Extractor", blob: int) -> None:
    """Download a blob that only the device holds into the extractor (Extractor.computed); runs nothing."""
    store = ex._gpu
    if ex.opt.use_vulkan_compute and isinstance(store, GpuStore) and not store.ctx.released and blob in store:
        run_extractor(ex, [], {blob})


def _run_locked(ex: "Extractor", order: list[int], targets: set[int], started: int | None) -> bool:
    clock = Clock(started)  # started before the device so that its creation is part of the run's time
    apply_thread_limit(ex.opt.num_threads)  # for the CPU-fallback layers (threadpoolctl: slow when it changes)
    try:
        ctx = get_context(ex.opt.vulkan_device)
    except VulkanUnavailable as e:
        ex.vulkan_fallback_reason = str(e)
        ex._gpu = {}
        return False
    store = ex._gpu
    if not isinstance(store, GpuStore) or store.ctx is not ctx:
        stale = bool(store)
        store = ex._gpu = GpuStore(ctx)
        weakref.finalize(ex, store.drop_all)
        if stale:  # its device blobs went with an earlier device: plan again without them
            order = ex.plan(sorted(targets))
    state = net_state(ex.net, ctx)
    clock.charge("setup")
    run = Run(ex, ctx, state, store, clock)
    try:
        run.execute(order, targets)
    except (EngineError, KeyboardInterrupt):
        run.abandon()  # a cancel or a layer's error: finish the recorded work, keep the pool whole
        raise
    except Exception as e:
        if error_kind(e) is None and not isinstance(e, VulkanUnavailable):
            raise
        ex.vulkan_fallback_reason = str(fail(e, "running the model"))
        ex._gpu = {}
        return False
    ex.vulkan_timing = run.timing()
    ex.vulkan_fallback_reason = ""
    return True


class Run:
    """One extract() on the GPU: the API Vulkan layers record through."""

    def __init__(self, ex: "Extractor", ctx: Context, state: NetState, store: GpuStore, clock: Clock) -> None:
        self.ex, self.ctx, self.state, self.gpu = ex, ctx, state, store
        self.clock = clock
        self.seg = ctx.segment()
        self.layer_gpu_ns: dict[int, int] = {}
        self.layer_record_ns: dict[int, int] = {}
        self.cpu_ns: dict[int, int] = {}
        self.order: list[tuple[int, str]] = []
        self.gpu_buckets = {"upload": 0, "download": 0, "weights upload": 0, "discarded": 0}
        self.wait_ns = 0
        self.submits = 0
        # GPU layers waiting for their timestamps: (layer, [(blob, held value)] in, [(blob, tensor)] out)
        self.pending_events: list[tuple[int, list[tuple[int, Any]], list[tuple[int, Any]]]] = []
        self.pending_downloads: list[tuple[int, Any, GpuTensor]] = []
        self.hooks = ex._hooks
        self.temps: list[GpuTensor] = []
        self.op_tensors: list[GpuTensor] = []  # allocated by the layer being recorded
        self.current_layer: int | None = None  # the layer being recorded
        self.op_sets = 0  # descriptor sets used when its current op began

    # -- the API for layers -------------------------------------------------------------------
    def check_size(self, nbytes: int) -> None:
        if nbytes > self.ctx.max_storage_range:
            raise TooLarge(f"{nbytes} bytes exceed the device's storage buffer range {self.ctx.max_storage_range}")

    def new_tensor(self, shape: Sequence[int], dtype: Any = np.float32) -> GpuTensor:
        self.clock.charge("record")
        t = GpuTensor(None, tuple(int(s) for s in shape), np.dtype(dtype))  # type: ignore[arg-type]
        self.check_size(t.nbytes)
        t.buffer = self.ctx.pool.acquire(DEVICE, max(t.nbytes, 4))
        self.op_tensors.append(t)
        self.clock.charge("allocate")
        return t

    def temp(self, t: GpuTensor) -> GpuTensor:
        """A tensor used only inside the current layer: its buffer returns to the pool after it."""
        self.temps.append(t)
        return t

    def alias(self, t: GpuTensor, shape: Sequence[int]) -> GpuTensor:
        """A view of the same buffer with another shape (reshape, split, dropout)."""
        shape = tuple(int(s) for s in shape)
        if int(np.prod(shape, dtype=np.int64)) != t.size:
            raise ValueError(f"cannot view {t.shape} as {shape}")
        return GpuTensor(t.buffer, shape, t.dtype)

    def const(self, layer: Any, key: str, array: np.ndarray) -> GpuTensor:
        """A constant array (weights, index tables) on the device, uploaded once per context."""
        t = layer.vk_consts.get(key)
        if t is None:
            self.clock.charge("record")
            self.check_size(array.nbytes)
            a = np.ascontiguousarray(array)
            t = self._upload(a.astype(np.float32) if a.dtype.kind == "f" and a.dtype != np.float32 else a,
                             "weights upload")
            t.buffer.refs += 1
            layer.vk_consts[key] = t
            self.clock.charge("weights upload")
        return t

    def dispatch(self, kernel: Kernel, tensors: Sequence[GpuTensor], push: Sequence[float | int],
                 groups: tuple[int, int, int]) -> None:
        self.clock.charge("record")
        pipeline, created = self.ctx.pipeline(kernel)
        if created:
            self.clock.charge("pipeline")
        self.seg.dispatch(pipeline, [t.buffer for t in tensors], push, groups)

    # -- moving data --------------------------------------------------------------------------
    def _ensure_recording(self, ops: int = 1, sets: int = 8) -> None:
        if self.seg.recording and not self.seg.room(ops, sets):
            self.flush()
        if not self.seg.recording:
            self.clock.charge("other")
            self.seg.begin()
            self.clock.charge("record")

    def _close_partial_layer(self) -> None:
        """A layer that uploads a constant after some dispatches: close those as a piece of the layer,
        so the upload's timestamp does not include them (pieces add up in layer_gpu_ns)."""
        if self.current_layer is not None and self.seg.recording and self.seg.sets > self.op_sets:
            self.seg.end_op("layer", self.current_layer)
            self.op_sets = self.seg.sets

    def _upload(self, host: np.ndarray, bucket: str) -> GpuTensor:
        self._close_partial_layer()
        self._ensure_recording()
        nbytes = host.nbytes
        staging = self.ctx.pool.acquire(UPLOAD, max(nbytes, 4))
        dst = GpuTensor(self.ctx.pool.acquire(DEVICE, max(nbytes, 4)), host.shape, host.dtype)
        staging.host_view(nbytes)[:] = host.reshape(-1).view(np.uint8)
        self.seg.copy(staging, dst.buffer, nbytes)
        self.seg.end_op(bucket)
        self.seg.after.append(lambda: self.ctx.pool.release(staging))
        return dst

    def to_gpu(self, blob: int) -> GpuTensor:
        t = self.gpu.get(blob)
        if t is None:
            self.clock.charge("other")
            host = self.ex._blobs[blob]
            assert host is not None
            t = self._upload(np.ascontiguousarray(host), "upload")
            t.buffer.refs += 1
            self.gpu[blob] = t
            self.clock.charge("upload")
        return t

    def request_download(self, blob: int) -> None:
        t = self.gpu[blob]
        self.clock.charge("other")
        self._ensure_recording()
        rb = self.ctx.pool.acquire(READBACK, max(t.nbytes, 4))
        self.seg.copy(t.buffer, rb, t.nbytes)
        self.seg.end_op("download")
        self.pending_downloads.append((blob, rb, t))
        self.clock.charge("download")

    def abandon(self) -> None:
        """After an error: submit what was recorded and give every buffer of this run back."""
        if self.ctx.released:
            return
        try:
            self.seg.flush()
        except Exception:  # the error being raised matters more than this one
            pass
        for _, rb, _ in self.pending_downloads:
            self.ctx.pool.release(rb)
        for t in self.op_tensors + self.temps:
            if t.buffer.refs == 0:
                self.ctx.pool.release(t.buffer)
        self.pending_downloads.clear()
        self.temps.clear()
        self.op_tensors.clear()

    def flush(self) -> None:
        self.clock.charge("record")
        flushed: Flushed = self.seg.flush()
        if flushed.sync_ns:
            self.submits += 1
        gpu_total = 0
        start = flushed.submit_ns
        for op, ns in flushed.ops:
            gpu_total += ns
            if op.kind == "layer":
                self.layer_gpu_ns[op.key] = self.layer_gpu_ns.get(op.key, 0) + ns
            else:
                self.gpu_buckets[op.kind] += ns
        # submit, fence and timestamp reading, split into the ops' GPU time and the rest (wait)
        self.wait_ns += max(self.clock.charge("sync") - gpu_total, 0)
        for blob, rb, t in self.pending_downloads:
            host = np.frombuffer(rb.mapped, t.dtype, count=t.size).reshape(t.shape).copy()
            host.flags.writeable = False
            self.ex._blobs[blob] = host
            self.ctx.pool.release(rb)
        self.pending_downloads.clear()
        self.clock.charge("download")
        # events: GPU time per layer, start placed on the host clock from the submit time
        for li, bottoms, tops in self.pending_events:
            self._emit(li, bottoms, tops, start, self.layer_gpu_ns.get(li, 0), "vulkan")
            start += self.layer_gpu_ns.get(li, 0)
        self.pending_events.clear()
        self.clock.charge("hooks")

    def _emit(self, li: int, bottoms: Sequence[Any], tops: Sequence[Any], start: int, elapsed: int,
              backend: str) -> None:
        """Tell the hooks; bottoms/tops are (blob, host array or GpuTensor captured when recorded)."""
        if not self.hooks:
            return
        blobs, net = self.ex._blobs, self.ex.net

        def value(item: tuple[int, Any]) -> np.ndarray:
            b, held = item
            if isinstance(held, np.ndarray):
                return held
            host = blobs[b]
            return host if host is not None else _placeholder(held)

        layer = net.layers[li]
        event = LayerEvent(li, layer.name, layer.spec.type, tuple(value(b) for b in bottoms),
                           tuple(value(t) for t in tops), tuple(net.blobs[b].name for b, _ in tops), start, elapsed,
                           backend)
        for hook in self.hooks:
            hook(event)

    # -- the plan -----------------------------------------------------------------------------
    def execute(self, order: list[int], targets: set[int]) -> None:
        from .layers.base import VkLayer
        ex = self.ex
        blobs, layers, opt = ex._blobs, ex.net.layers, ex.opt
        keep_all = not opt.lightmode
        uses = ex._consumer_counts(order)
        for li in order:
            ex._check_cancel(li)
            layer, bottoms, tops = layers[li], ex._bottoms[li], ex._tops[li]
            twin: VkLayer | None = self.state.twins.get(li)
            self.clock.charge("other")
            infos = [(self.gpu[b].shape, self.gpu[b].dtype) if b in self.gpu else (blobs[b].shape, blobs[b].dtype)
                     for b in bottoms]
            fits = all(int(np.prod(s, dtype=np.int64)) * dt.itemsize <= self.ctx.max_storage_range
                       for s, dt in infos)
            on_gpu = fits and twin is not None and _supports(twin, infos)
            self.clock.charge("plan")  # choosing GPU or CPU for the layer (shape checks, gather tables)
            if not (on_gpu and self._run_gpu(li, twin, bottoms, tops, keep_all)):
                self._run_cpu(li, layer, bottoms, tops)
            self.order.append((li, "vulkan" if li in self.layer_record_ns else "cpu-fallback"))
            for b in bottoms if uses else ():
                uses[b] -= 1
                if uses[b] == 0 and b not in ex._given and b not in targets:
                    blobs[b] = None
                    self.gpu.drop(b)
            self.clock.charge("other")
        for b in targets:
            if blobs[b] is None:
                self.request_download(b)
        self.flush()
        if not keep_all:  # the host copies are what extract() returns; free the device copies
            for b in targets:
                self.gpu.drop(b)
        self.clock.charge("other")

    def _run_gpu(self, li: int, twin: Any, bottoms: Sequence[int], tops: Sequence[int], keep_all: bool) -> bool:
        """Record the layer; False (nothing kept) when a buffer would be too large for the device."""
        # room for the inputs' uploads, a few constants and the layer: no submit in the middle of it
        self._ensure_recording(ops=len(bottoms) + 16, sets=twin.vk_max_dispatches)
        inputs = [self.to_gpu(b) for b in bottoms]
        self.clock.charge("other")
        t0 = self.clock.ns["record"] + self.clock.ns["pipeline"] + self.clock.ns["allocate"]
        self.op_tensors.clear()
        self.current_layer, self.op_sets = li, self.seg.sets
        try:
            outputs = twin.vk_forward(self, inputs)
        except TooLarge:
            for t in self.op_tensors + self.temps:
                self.ctx.pool.release(t.buffer)
            self.temps.clear()
            if self.seg.sets != self.op_sets:  # some dispatches were recorded: close them as discarded work
                self.seg.end_op("discarded")
            self.current_layer = None
            self.clock.charge("record")
            return False
        finally:
            self.current_layer = None
        self.clock.charge("record")
        self.seg.end_op("layer", li)
        for t in self.temps:  # safe to reuse: end_op put a barrier after this layer's dispatches
            self.ctx.pool.release(t.buffer)
        self.temps.clear()
        self.clock.charge("record")
        self.layer_record_ns[li] = self.clock.ns["record"] + self.clock.ns["pipeline"] + self.clock.ns["allocate"] - t0
        if len(outputs) != len(tops):
            raise LayerRuntimeError(f"layer '{twin.name}' ({twin.spec.type}) produced {len(outputs)} blobs "
                                    f"for {len(tops)} tops")
        for b, t in zip(tops, outputs):
            self.gpu.drop(b)
            t.buffer.refs += 1
            self.gpu[b] = t
            self.ex._blobs[b] = None
            if keep_all and self.hooks:
                self.request_download(b)
        self.op_tensors.clear()  # they belong to the store now
        if self.hooks:
            held = [(b, self.ex._blobs[b] if self.ex._blobs[b] is not None else t) for b, t in zip(bottoms, inputs)]
            self.pending_events.append((li, held, list(zip(tops, outputs))))
        return True

    def _run_cpu(self, li: int, layer: "Layer", bottoms: Sequence[int], tops: Sequence[int]) -> None:
        blobs = self.ex._blobs
        missing = [b for b in bottoms if blobs[b] is None]
        for b in missing:
            self.request_download(b)
        if missing or self.pending_events:
            self.flush()
        inputs = [blobs[b] for b in bottoms]
        self.clock.charge("other")
        start = time.perf_counter_ns()
        try:
            outputs = layer.forward(inputs, self.ex.opt)  # type: ignore[arg-type]
        except EngineError:
            raise
        except Exception as e:
            shapes = ", ".join(str(a.shape) for a in inputs if a is not None)
            raise LayerRuntimeError(f"layer '{layer.name}' ({layer.spec.type}) failed on inputs "
                                    f"{shapes}: {type(e).__name__}: {e}") from e
        self.cpu_ns[li] = self.clock.charge("cpu")
        if len(outputs) != len(tops):
            raise LayerRuntimeError(f"layer '{layer.name}' ({layer.spec.type}) produced "
                                    f"{len(outputs)} blobs for {len(tops)} tops")
        for b, out in zip(tops, outputs):
            out.flags.writeable = False
            blobs[b] = out
            self.gpu.drop(b)
        self._emit(li, list(zip(bottoms, inputs)), list(zip(tops, outputs)), start, self.cpu_ns[li], "cpu-fallback")
        self.clock.charge("hooks")

    def timing(self) -> VulkanRunTiming:
        ns, layers = self.clock.ns, self.ex.net.layers
        rows = []
        for li, where in self.order:
            layer = layers[li]
            if where == "vulkan":
                rows.append(LayerTiming(li, layer.name, layer.spec.type, "vulkan", self.layer_gpu_ns.get(li, 0) / 1e6,
                                        self.layer_record_ns.get(li, 0) / 1e6))
            else:
                rows.append(LayerTiming(li, layer.name, layer.spec.type, "cpu-fallback", self.cpu_ns[li] / 1e6))
        ms = {k: v / 1e6 for k, v in ns.items()}
        g = {k: v / 1e6 for k, v in self.gpu_buckets.items()}
        # GPU pieces of a layer that then ran on the CPU (too large) were work thrown away
        g["discarded"] += sum(self.layer_gpu_ns.get(li, 0) for li, where in self.order if where != "vulkan") / 1e6
        return VulkanRunTiming(
            device=self.ctx.info.name, wall_ms=(self.clock.t - self.clock.start) / 1e6, layers=tuple(rows),
            upload_ms=ms.get("upload", 0) + g["upload"], weights_upload_ms=ms.get("weights upload", 0)
            + g["weights upload"], download_ms=ms.get("download", 0) + g["download"],
            pipeline_ms=ms.get("pipeline", 0), setup_ms=ms.get("setup", 0), plan_ms=ms.get("plan", 0),
            record_ms=ms.get("record", 0),
            allocate_ms=ms.get("allocate", 0),
            wait_ms=self.wait_ns / 1e6 + g["discarded"], hooks_ms=ms.get("hooks", 0),
            other_host_ms=ms.get("other", 0),
            submits=self.submits, gpu_timestamps=self.ctx.has_timestamps)
