"""Thread count for numpy's BLAS. Process-wide (BLAS has one pool), so applied only when it changes."""
from __future__ import annotations

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
