"""Shape helpers for the data-movement layers (Crop, Tile, Slice, ...): ncnn's w/h/d/c view of a blob."""
from __future__ import annotations

import numpy as np


def ncnn_cdhw(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """(c, d, h, w) as ncnn's Mat reports them: absent dims read 1 (a 3-D blob has d = 1)."""
    if len(shape) == 1:
        return 1, 1, 1, shape[0]
    if len(shape) == 2:
        return 1, 1, shape[0], shape[1]
    if len(shape) == 3:
        return shape[0], 1, shape[1], shape[2]
    if len(shape) == 4:
        return shape[0], shape[1], shape[2], shape[3]
    raise ValueError(f"ncnn blobs have 1 to 4 dims, not {len(shape)}")


def positive_axis(axis: int, dims: int) -> int:
    """ncnn's `axis < 0 ? dims + axis : axis` (no range check: callers decide what out-of-range means)."""
    return axis + dims if axis < 0 else axis


def contiguous(a: np.ndarray) -> np.ndarray:
    """A C-contiguous float32 array (views along the outermost axis stay views)."""
    return np.ascontiguousarray(a, dtype=np.float32)
