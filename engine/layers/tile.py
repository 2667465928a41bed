"""Tile: repeat a blob, either along one numpy axis (`0=axis 1=tiles`) or numpy-style (`2=repeats`).

The repeats form aligns to ncnn's w/h/d/c: 1 value repeats w, 2 repeat h,w, 3 repeat d,h,w on a 4-D blob
and c,h,w otherwise, 4 repeat c,d,h,w. The output has max(rank, len(repeats)) dims. Like np.tile,
except for a 3-D blob with 4 repeats: ncnn keeps its channels as channels, giving
(c*r0, r1, h*r2, w*r3) where numpy would give (r0, c*r1, h*r2, w*r3).
The axis form repeats w on a 1-D blob whatever the axis, and does nothing for an axis the blob lacks.
"""
from __future__ import annotations

import numpy as np

from ..kernels.datamove import ncnn_cdhw
from ..layer import INT, INTS, Layer, Param
from ..option import Option


class Tile(Layer):
    type_name = "Tile"
    axis = Param(0, INT, 0)
    tiles = Param(1, INT, 1)
    repeats = Param(2, INTS)

    def check_params(self) -> None:
        # ncnn 1.0.20261020 checks these at load time.
        if not 0 <= self.axis <= 3:
            raise self.param_error(f"axis {self.axis} must lie in [0, 3]")
        if self.tiles < 1:
            raise self.param_error(f"tiles {self.tiles} must be at least 1")
        if len(self.repeats) > 4:
            raise self.param_error(f"{len(self.repeats)} repeats: a blob has at most 4 dims")
        if any(r < 1 for r in self.repeats):
            raise self.param_error(f"repeats {list(self.repeats)} must all be at least 1")

    def reps_cdhw(self, dims: int) -> tuple[int, int, int, int]:
        """Repeats of (c, d, h, w), as ncnn assigns them."""
        r = list(self.repeats)
        if not r:
            names = {1: "w", 2: "hw", 3: "chw", 4: "cdhw"}[dims]
            axis = 0 if dims == 1 else self.axis
            which = names[axis] if axis < dims else ""
            return tuple(self.tiles if n == which else 1 for n in "cdhw")  # type: ignore[return-value]
        if len(r) == 3:
            return (1, *r) if dims == 4 else (r[0], 1, r[1], r[2])
        return tuple([1] * (4 - len(r)) + r)  # type: ignore[return-value]

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        dims = x.ndim
        if not 1 <= dims <= 4:
            raise self.runtime_error(f"expects a 1-D to 4-D blob, got {dims}-D", [x])
        reps = self.reps_cdhw(dims)
        out_dims = max(dims, len(self.repeats))
        if reps == (1, 1, 1, 1) and out_dims == dims:
            return x  # ncnn hands the bottom through
        c, d, h, w = ncnn_cdhw(x.shape)
        y = np.tile(x.reshape(c, d, h, w), reps)
        oc, od, oh, ow = y.shape
        return y.reshape({1: (ow,), 2: (oh, ow), 3: (oc, oh, ow), 4: (oc, od, oh, ow)}[out_dims])
