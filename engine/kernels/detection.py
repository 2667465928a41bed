"""Shared pieces of ncnn's detection heads: its quicksort (tie order included) and greedy NMS.

ncnn sorts candidates with an in-place Hoare quicksort (`qsort_descent_inplace`, middle pivot). It is not
stable, so the order of equal scores is whatever that algorithm leaves; `qsort_descent_order` replays it
when ties exist and uses numpy's sort otherwise (with distinct scores every correct sort agrees).
"""
from __future__ import annotations

import numpy as np

F32 = np.float32


def expf(x: np.ndarray) -> np.ndarray:
    """float32 exp, correctly rounded from float64. numpy's float32 exp is less accurate; glibc's expf
    (what ncnn calls) is not always correctly rounded either, so ncnn may differ by one ulp."""
    with np.errstate(over="ignore"):
        return np.exp(np.asarray(x, np.float64)).astype(F32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """`1.f / (1.f + expf(-x))` in float32."""
    return F32(1) / (F32(1) + expf(-np.asarray(x, F32)))


def qsort_descent_order(scores: np.ndarray, limit: int | None = None) -> np.ndarray:
    """The permutation ncnn's qsort_descent_inplace applies to `scores` (descending).

    With `limit`, only the first `limit` entries are guaranteed (ranges past it are left unsorted).
    """
    n = len(scores)
    if n < 2 or np.unique(scores).size == n:
        return np.argsort(-np.asarray(scores, np.float64), kind="stable")
    s = np.array(scores, np.float64)
    idx = np.arange(n, dtype=np.intp)
    limit = n if limit is None else limit
    stack = [(0, n - 1)]
    while stack:  # sub-ranges are disjoint, so the processing order does not matter
        left, right = stack.pop()
        if right - left < _SMALL_RANGE:
            i, j = _partition_py(s, idx, left, right)
        else:
            i, j = _partition_np(s, idx, left, right)
        if left < j and left < limit:
            stack.append((left, j))
        if i < right and i < limit:
            stack.append((i, right))
    return idx


_SMALL_RANGE = 48


def _partition_py(s: np.ndarray, idx: np.ndarray, left: int, right: int) -> tuple[int, int]:
    """One Hoare partition step of ncnn's quicksort on s[left..right] (middle pivot), in place."""
    seg, ids = s[left:right + 1].tolist(), idx[left:right + 1].tolist()
    i, j = 0, right - left
    p = seg[j // 2]
    while i <= j:
        while seg[i] > p:
            i += 1
        while seg[j] < p:
            j -= 1
        if i <= j:
            seg[i], seg[j] = seg[j], seg[i]
            ids[i], ids[j] = ids[j], ids[i]
            i += 1
            j -= 1
    s[left:right + 1] = seg
    idx[left:right + 1] = ids
    return left + i, left + j


def _partition_np(s: np.ndarray, idx: np.ndarray, left: int, right: int) -> tuple[int, int]:
    """The same step vectorised: the k-th left stop (value <= pivot, scanning up) swaps with the k-th right
    stop (value >= pivot, scanning down) while they have not crossed; swapped cells are never rescanned."""
    seg, ids = s[left:right + 1], idx[left:right + 1]
    p = seg[(right - left) // 2]
    lo = np.flatnonzero(seg <= p)
    hi = np.flatnonzero(seg >= p)[::-1]
    k = min(len(lo), len(hi))
    m = int(np.count_nonzero(lo[:k] <= hi[:k]))  # >= 1: the pivot is a stop for both scans
    a, b = lo[:m], hi[:m]
    seg[a], seg[b] = seg[b], seg[a].copy()
    ids[a], ids[b] = ids[b], ids[a].copy()
    last_lo, last_hi = int(a[-1]), int(b[-1])
    if last_hi - last_lo < 2:  # the pointers crossed right at the last swap
        return left + last_lo + 1, left + last_hi - 1
    # otherwise each scan runs on to the next untouched stop or to the other side's last swapped cell
    i = min(int(lo[m]), last_hi) if m < len(lo) else last_hi
    j = max(int(hi[m]), last_lo) if m < len(hi) else last_lo
    return left + i, left + j


def nms_sorted(boxes: np.ndarray, areas: np.ndarray, threshold: float, product_form: bool = False) -> np.ndarray:
    """Indices kept by ncnn's greedy NMS over score-sorted `boxes` (n, 4: x0, y0, x1, y1) with their `areas`.

    A box is dropped when, against any already kept box, `inter / union > threshold` (DetectionOutput)
    or `inter > threshold * union` (`product_form`, Yolov3DetectionOutput); union = area_a + area_b - inter,
    and inter is 0 for boxes that do not overlap (strict comparisons), else the plain product of the
    overlap's sides, as ncnn computes it. Both tests are symmetric in the pair, so each kept box can
    suppress every later one at once.
    """
    n = len(boxes)
    x0, y0, x1, y1 = (np.ascontiguousarray(boxes[:, k], F32) for k in range(4))
    areas = np.ascontiguousarray(areas, F32)
    t = F32(threshold)
    suppressed = np.zeros(n, dtype=bool)
    keep = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(n):
            if suppressed[i]:
                continue
            keep.append(i)
            r = slice(i + 1, n)
            if i + 1 == n:
                break
            disjoint = (x0[i] > x1[r]) | (x1[i] < x0[r]) | (y0[i] > y1[r]) | (y1[i] < y0[r])
            inter = (np.minimum(x1[i], x1[r]) - np.maximum(x0[i], x0[r])) * \
                (np.minimum(y1[i], y1[r]) - np.maximum(y0[i], y0[r]))
            inter[disjoint] = 0
            union = areas[r] + areas[i] - inter
            drop = inter > t * union if product_form else inter / union > t
            suppressed[r] |= drop
    return np.array(keep, dtype=np.intp)
