"""The process-wide Vulkan state: one device context, each net's Vulkan twins, faults and fallback.

A fault (no loader, no driver, no device, out of memory, device lost) is recorded in `_FAILED`, every
GPU object is released, and later runs go straight to the CPU until `reset()`.
"""
from __future__ import annotations

import threading
import warnings
import weakref
from typing import TYPE_CHECKING, Any

from .binding import VulkanUnavailable, describe
from .context import Context

if TYPE_CHECKING:
    from ..net import Net

_CONTEXT: Context | None = None
_FAILED: VulkanUnavailable | None = None  # sticky: later runs go straight to the CPU until reset()
_NETS: "weakref.WeakKeyDictionary[Net, NetState]" = weakref.WeakKeyDictionary()
RUN_LOCK = threading.RLock()  # one run records at a time; teardown waits for it


def get_context(requested: int | str | None = None) -> Context:
    global _CONTEXT, _FAILED
    if _FAILED is not None:
        raise _FAILED
    if _CONTEXT is not None and not _CONTEXT.released:
        if requested is None or requested in (_CONTEXT.info.index, _CONTEXT.info.name):
            return _CONTEXT
        shutdown()
    try:
        _CONTEXT = Context(requested)
    except Exception as e:
        _FAILED = describe(e, "starting Vulkan")
        warnings.warn(f"Vulkan backend unavailable, running on the CPU: {_FAILED}", RuntimeWarning, stacklevel=4)
        raise _FAILED from e
    return _CONTEXT


def shutdown() -> None:
    """Release the device and everything on it (weights of every net included)."""
    global _CONTEXT
    with RUN_LOCK:
        if _CONTEXT is not None:
            _CONTEXT.release()
        _CONTEXT = None
        _NETS.clear()


def reset() -> None:
    """Forget a fault so that the next run tries Vulkan again."""
    global _FAILED
    shutdown()
    _FAILED = None


def last_error() -> VulkanUnavailable | None:
    return _FAILED


def fail(exc: BaseException, doing: str) -> VulkanUnavailable:
    """Record a fault, release every GPU resource, warn once with a clear message."""
    global _FAILED
    err = describe(exc, doing)
    shutdown()
    _FAILED = err
    warnings.warn(f"Vulkan backend disabled, running on the CPU: {err}", RuntimeWarning, stacklevel=3)
    return err


class NetState:
    """A net's Vulkan twins on one context; rebuilt when the weights are reloaded. Their constants
    (weights, tables) go back to the pool when the state is dropped (weights reloaded, net deleted)."""

    def __init__(self, net: "Net", ctx: Context) -> None:
        from ..registry import layer_class
        self.ctx = ctx
        self.arrays = _weight_arrays(net)  # held, so that `is` tells a reload apart
        self.twins: dict[int, Any] = {}
        for li, layer in enumerate(net.layers):
            cls = layer_class(layer.spec.type, "vulkan")
            if cls is not None and type(layer) in cls.__mro__:
                twin = object.__new__(cls)
                twin.__dict__.update(layer.__dict__)
                twin.vk_consts = {}
                self.twins[li] = twin
        weakref.finalize(self, _release_consts, ctx, [t.vk_consts for t in self.twins.values()])

    def current(self, net: "Net", ctx: Context) -> bool:
        arrays = _weight_arrays(net)
        return self.ctx is ctx and len(arrays) == len(self.arrays) and all(a is b for a, b in zip(arrays, self.arrays))


def _weight_arrays(net: "Net") -> list[Any]:
    return [a for layer in net.layers for a in layer.weights.values()] + list(net.layers)


def _release_consts(ctx: Context, consts: list[dict[str, Any]]) -> None:
    with RUN_LOCK:
        if ctx.released:
            return
        for table in consts:
            for t in table.values():
                t.buffer.refs -= 1
                if t.buffer.refs == 0:
                    ctx.pool.release(t.buffer)
            table.clear()


def net_state(net: "Net", ctx: Context) -> NetState:
    st = _NETS.get(net)
    if st is None or not st.current(net, ctx):
        st = NetState(net, ctx)
        _NETS[net] = st
    return st


class GpuStore(dict):
    """An extractor's blobs on the device; returns their buffers to the pool when it goes away."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx

    def drop(self, blob: int) -> None:
        t = self.pop(blob, None)
        if t is not None and not self.ctx.released:
            t.buffer.refs -= 1
            if t.buffer.refs == 0:
                self.ctx.pool.release(t.buffer)

    def drop_all(self) -> None:
        with RUN_LOCK:
            for b in list(self):
                self.drop(b)
