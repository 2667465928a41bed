"""ArgMax: the `topk` largest values of the whole (flattened) blob and their indices.

Params: 0=out_max_val(0) 1=topk(1). Output is 2-D: `(1, topk)` of indices stored as floats, or with
out_max_val `(2, topk)`: row 0 the values, row 1 the indices. Order is ncnn's partial_sort with
std::greater on (value, index) pairs: larger value first, and on a tie the *larger* index first.
ncnn scans `total()`, which for a 3-D/4-D blob whose channel size is not a multiple of 4 also covers
the channel padding (uninitialised memory); we scan the real values only.
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option


def topk_desc(v: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values of 1-D `v`, ordered by (value, index) descending."""
    n = v.size
    if k == 1:
        return np.array([n - 1 - int(np.argmax(v[::-1]))])  # last occurrence of the max
    if k < n:
        kth = np.partition(v, n - k)[n - k]  # k-th largest value: every tie with it is a candidate
        cand = np.flatnonzero(v >= kth)
    else:
        cand = np.arange(n)
    order = np.lexsort((-cand, -v[cand]))  # primary: value desc, secondary: index desc
    return cand[order[:k]]


class ArgMax(Layer):
    type_name = "ArgMax"
    out_max_val = Param(0, INT, 0)
    topk = Param(1, INT, 1)

    def check_params(self) -> None:
        if self.topk < 1:
            raise self.param_error(f"topk (1) {self.topk} must be >= 1")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        v = np.asarray(x, dtype=np.float32).reshape(-1)
        if self.topk > v.size:
            raise self.runtime_error(f"topk {self.topk} is larger than the {v.size} values of the input", [x])
        idx = topk_desc(v, self.topk)
        if self.out_max_val:
            return np.stack([v[idx], idx.astype(np.float32)])
        return idx.astype(np.float32).reshape(1, -1)
