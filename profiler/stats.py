"""Blob statistics (what the blob inspector and reports show)."""
from __future__ import annotations

import numpy as np

from .records import BlobStats


def blob_stats(name: str, array: np.ndarray) -> BlobStats:
    a = np.asarray(array)
    f = a.astype(np.float64, copy=False) if a.dtype != np.float64 else a
    nan = int(np.isnan(f).sum()) if a.dtype.kind == "f" else 0
    inf = int(np.isinf(f).sum()) if a.dtype.kind == "f" else 0
    finite = f[np.isfinite(f)] if (nan or inf) else f.reshape(-1)
    if finite.size:
        lo, hi, mean, std = float(finite.min()), float(finite.max()), float(finite.mean()), float(finite.std())
    else:
        lo = hi = mean = std = float("nan")
    zeros = 100.0 * float(np.count_nonzero(a == 0)) / a.size if a.size else 0.0
    return BlobStats(name, tuple(int(d) for d in a.shape), str(a.dtype), lo, hi, mean, std, zeros, nan, inf)


def histogram(array: np.ndarray, bins: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges over the finite values (empty arrays give one empty bin)."""
    f = np.asarray(array, dtype=np.float64).reshape(-1)
    f = f[np.isfinite(f)]
    if f.size == 0:
        return np.zeros(1, np.int64), np.array([0.0, 1.0])
    lo, hi = float(f.min()), float(f.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return np.histogram(f, bins=bins, range=(lo, hi))
