"""Thread count for numpy's BLAS. Process-wide (BLAS has one pool), so applied only when it changes."""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading

_lock = threading.Lock()
_applied: int | None = None
_controller = None


def apply_thread_limit(num_threads: int) -> None:
    global _applied, _controller
    n = max(1, int(num_threads))
    if n == _applied:
        return
    with _lock:
        if n == _applied:
            return
        from threadpoolctl import ThreadpoolController
        if _controller is None:
            _controller = ThreadpoolController()
        _controller.limit(limits=n, user_api="blas")
        _applied = n


def tune_allocator() -> None:
    """Keep large temporaries in the heap instead of mmap'ing and trimming them on every layer.

    glibc's dynamic mmap threshold hands big arrays back to the OS and re-faults them per call:
    measured 1.9 -> 4.1 ms for a 64->64 3x3 conv at 64x64. Linux/glibc only; harmless elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
        # One arena for every thread: a worker thread's own arena hands each freed blob back to the OS
        # and re-faults it on the next layer (a run in the app's worker thread was 2.5-4x slower).
        libc.mallopt(-8, 1)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass
