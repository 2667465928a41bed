"""Extractor: one run's blobs. Pull-based like ncnn: extract() runs only the layers the blob needs."""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np

from .errors import BlobNotFoundError, EngineError, ExtractionCancelled, LayerRuntimeError
from .hooks import LayerEvent
from .option import Option
from .threads import apply_thread_limit

if TYPE_CHECKING:
    from .net import Net

Hook = Callable[[LayerEvent], None]


def _as_blob(array: np.ndarray) -> np.ndarray:
    a = np.asarray(array)
    if a.dtype.kind == "f" and a.dtype != np.float32:
        a = a.astype(np.float32)
    elif a.dtype.kind in "iub" and a.dtype not in (np.int8, np.int32):
        a = a.astype(np.int32 if a.dtype.kind in "iu" else np.float32)
    a = np.array(a, copy=True, order="C")
    a.flags.writeable = False
    return a


class Extractor:
    def __init__(self, net: "Net", opt: Option) -> None:
        self.net = net
        self.opt = opt
        graph = net.graph
        assert graph is not None
        self._producer = [b.producer for b in graph.blobs]
        self._bottoms = [tuple(net.blob_index(n) for n in s.bottoms) for s in graph.layers]
        self._tops = [tuple(net.blob_index(n) for n in s.tops) for s in graph.layers]
        self._blobs: list[np.ndarray | None] = [None] * len(graph.blobs)
        self._given: set[int] = set()
        self._hooks: list[Hook] = []
        self._cancel = threading.Event()
        # Vulkan backend (opt.use_vulkan_compute): blobs held on the device, the last run's timing
        # (engine/vulkan/timing.py) and why the CPU ran instead, if it did.
        self._gpu: dict = {}
        self.vulkan_timing = None
        self.vulkan_fallback_reason = ""

    # -- public API -------------------------------------------------------------------------
    def input(self, blob: str | int, array: np.ndarray) -> None:
        idx = self.net.blob_index(blob)
        self._blobs[idx] = _as_blob(array)
        self._given.add(idx)
        if idx in self._gpu:  # the device copy of the old value is stale (Vulkan backend)
            self._gpu.drop(idx)

    def extract(self, blob: str | int, raw: bool = False) -> np.ndarray:
        """The blob in ncnn's numpy convention; int8 blobs come back as float32 unless raw=True."""
        idx = self.net.blob_index(blob)
        self._run(self.plan([idx]), {idx})
        out = self._blobs[idx]
        assert out is not None
        if not raw and out.dtype != np.float32:
            out = out.astype(np.float32)
            out.flags.writeable = False
        return out

    def extract_many(self, blobs: Iterable[str | int]) -> dict[str, np.ndarray]:
        idxs = [self.net.blob_index(b) for b in blobs]
        self._run(self.plan(idxs), set(idxs))
        names = self.net.blobs
        return {names[i].name: self._blobs[i] for i in idxs}  # type: ignore[misc]

    def computed(self, blob: str | int) -> np.ndarray | None:
        """The blob if this extractor already holds it, without running anything (a blob held on
        the GPU is downloaded)."""
        idx = self.net.blob_index(blob)
        if self._blobs[idx] is None and idx in self._gpu:
            from .vulkan.runner import fetch
            fetch(self, idx)
        return self._blobs[idx]

    def add_hook(self, hook: Hook) -> None:
        self._hooks.append(hook)

    def remove_hook(self, hook: Hook) -> None:
        self._hooks.remove(hook)

    def cancel(self) -> None:
        """Ask a running extract() (in another thread) to stop before its next layer."""
        self._cancel.set()

    def plan(self, targets: list[int]) -> list[int]:
        """Layer indices that extracting `targets` would run, in execution (depth-first) order."""
        done: set[int] = set()
        order: list[int] = []

        def have(b: int) -> bool:
            return self._blobs[b] is not None or b in self._gpu or self._producer[b] in done

        for target in targets:
            if have(target):
                continue
            root = self._needed_producer(target)
            stack = [(root, 0)]
            active = {root}
            while stack:
                li, k = stack[-1]
                bottoms = self._bottoms[li]
                while k < len(bottoms) and have(bottoms[k]):
                    k += 1
                if k < len(bottoms):
                    q = self._needed_producer(bottoms[k])
                    stack[-1] = (li, k + 1)
                    if q in active:  # impossible for parsed files; guards hand-built graphs
                        raise EngineError(f"cycle through layer '{self.net.layers[q].name}'")
                    active.add(q)
                    stack.append((q, 0))
                else:
                    stack.pop()
                    active.discard(li)
                    done.add(li)
                    order.append(li)
        return order

    # -- running ----------------------------------------------------------------------------
    def _needed_producer(self, blob: int) -> int:
        p = self._producer[blob]
        if p is None or self.net.layers[p].spec.type == "Input":
            name = self.net.blobs[blob].name
            raise BlobNotFoundError(f"blob '{name}' is a model input: give it with input() first")
        return p

    def _consumer_counts(self, order: list[int]) -> dict[int, int]:
        """Lightmode: how many layers of `order` still read each blob (it is released at 0); {} otherwise."""
        uses: dict[int, int] = {}
        if self.opt.lightmode:
            for li in order:
                for b in self._bottoms[li]:
                    uses[b] = uses.get(b, 0) + 1
        return uses

    def _check_cancel(self, li: int) -> None:
        if self._cancel.is_set():
            self._cancel.clear()
            raise ExtractionCancelled(f"cancelled before layer '{self.net.layers[li].name}'")

    def _run(self, order: list[int], targets: set[int]) -> None:
        if self.opt.use_vulkan_compute or self._gpu:
            started = time.perf_counter_ns()  # the backend's first import counts as its setup time
            from .vulkan.runner import run_extractor
            if run_extractor(self, order, targets, started):
                return
            order = self.plan(sorted(targets))  # blobs that were held on the device are gone
        if not order:
            return
        apply_thread_limit(self.opt.num_threads)
        blobs, layers, opt, hooks = self._blobs, self.net.layers, self.opt, self._hooks
        uses = self._consumer_counts(order)
        for li in order:
            self._check_cancel(li)
            layer = layers[li]
            inputs = [blobs[b] for b in self._bottoms[li]]
            start = time.perf_counter_ns() if hooks else 0
            try:
                outputs = layer.forward(inputs, opt)  # type: ignore[arg-type]
            except EngineError:
                raise
            except Exception as e:  # numpy errors become errors that name the layer
                shapes = ", ".join(str(a.shape) for a in inputs if a is not None)
                raise LayerRuntimeError(f"layer '{layer.name}' ({layer.spec.type}) failed on inputs "
                                        f"{shapes}: {type(e).__name__}: {e}") from e
            elapsed = time.perf_counter_ns() - start if hooks else 0
            tops = self._tops[li]
            if len(outputs) != len(tops):
                raise LayerRuntimeError(f"layer '{layer.name}' ({layer.spec.type}) produced "
                                        f"{len(outputs)} blobs for {len(tops)} tops")
            for b, out in zip(tops, outputs):
                out.flags.writeable = False
                blobs[b] = out
            if hooks:
                event = LayerEvent(li, layer.name, layer.spec.type, tuple(inputs), tuple(outputs),  # type: ignore[arg-type]
                                   tuple(self.net.blobs[b].name for b in tops), start, elapsed)
                for hook in hooks:
                    hook(event)
            if uses:
                for b in self._bottoms[li]:
                    uses[b] -= 1
                    if uses[b] == 0 and b not in self._given and b not in targets:
                        blobs[b] = None
