"""Slice: cut a blob into len(tops) pieces along a numpy axis (`1=axis`, negative from the end).

Sizes come from `0=slices` (`-233` = an equal share of what is left: remaining // outputs left) or,
when given, from `2=indices`: cut points (negative from the end), the last output taking the rest.
A 1-D blob is always cut along w, whatever the axis. Pieces need not cover the whole blob: what is left
after the last one is dropped. Empty pieces (ncnn fails on them), pieces running past the end and too
short slices/indices arrays (ncnn reads past them) are refused.

Pieces that leave a remainder along w (3-D/4-D) or h (4-D) are matched to ncnn's x86 code (the oracle),
which walks each channel as one stream and so reads rows misaligned; ncnn's generic C++ code cuts them
as numpy would.
"""
from __future__ import annotations

import numpy as np

from ..kernels.datamove import positive_axis
from ..layer import INT, INTS, Layer, Param
from ..option import Option

REST = -233


class Slice(Layer):
    type_name = "Slice"
    one_blob_only = False
    slices = Param(0, INTS)
    axis = Param(1, INT, 0)
    indices = Param(2, INTS)

    def check_params(self) -> None:
        # ncnn 1.0.20261020 checks these at load time.
        if not -4 <= self.axis <= 3:
            raise self.param_error(f"axis {self.axis} must lie in [-4, 3]")
        bad = [v for v in self.slices if v <= 0 and v != REST]
        if bad:
            raise self.param_error(f"slices {list(self.slices)}: each must be positive or -233")

    def sizes(self, n: int, n_out: int, bottoms: list[np.ndarray]) -> list[int]:
        """Each output's extent along an axis of size n, as ncnn computes them."""
        out: list[int] = []
        q = 0
        for i in range(n_out):
            if self.indices:
                if i == n_out - 1:
                    size = n - q
                else:
                    if i >= len(self.indices):
                        raise self.runtime_error(f"{len(self.indices)} indices for {n_out} outputs", bottoms)
                    cut = self.indices[i]
                    size = (cut + n if cut < 0 else cut) - q
            else:
                if i >= len(self.slices):
                    raise self.runtime_error(f"{len(self.slices)} slices for {n_out} outputs", bottoms)
                size = self.slices[i]
                if size == REST:
                    size = (n - q) // (n_out - i) if n >= q else -1
            if size <= 0 or q + size > n:
                raise self.runtime_error(f"output {i}: slice [{q}, {q + size}) of a size-{n} axis "
                                         "(ncnn fails or reads out of bounds)", bottoms)
            out.append(size)
            q += size
        return out

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if len(bottoms) != 1:
            raise self.runtime_error(f"expects 1 input blob, got {len(bottoms)}", bottoms)
        x = bottoms[0]
        if not 1 <= x.ndim <= 4:
            raise self.runtime_error(f"expects a 1-D to 4-D blob, got {x.ndim}-D", bottoms)
        axis = 0 if x.ndim == 1 else positive_axis(self.axis, x.ndim)
        if not 0 <= axis < x.ndim:
            raise self.runtime_error(f"axis {self.axis} is out of range for a {x.ndim}-D blob", bottoms)
        n_out = len(self.spec.tops)
        sizes = self.sizes(x.shape[axis], n_out, bottoms)
        covered = sum(sizes)
        if covered < x.shape[axis] and x.ndim >= 3 and axis >= x.ndim - 2 and not (x.ndim == 3 and axis == 1):
            x = self._x86_stream(x, axis, covered)
        tops = []
        q = 0
        index: list[slice] = [slice(None)] * x.ndim
        for size in sizes:
            index[axis] = slice(q, q + size)
            tops.append(np.ascontiguousarray(x[tuple(index)], dtype=np.float32))
            q += size
        return tops

    @staticmethod
    def _x86_stream(x: np.ndarray, axis: int, covered: int) -> np.ndarray:
        """What ncnn's x86 Slice reads when the pieces cover only `covered` of a w (3-D/4-D) or h (4-D)
        axis: it walks each channel as one stream, so the rows (w) or depth slabs (h) it sees are
        `covered` long, not the blob's."""
        c = x.shape[0]
        shape = list(x.shape)
        shape[axis] = covered
        take = int(np.prod(shape[1:]))
        return x.reshape(c, -1)[:, :take].reshape(shape)
