"""ExpandDims: inserts size-1 axes at the numpy-style output positions `3=axes`.

The output rank is the input rank plus the number of axes (duplicates included, as ncnn counts them);
kept axes take the input's w, h, c in order from the innermost. A result above 4-D (or no axes)
leaves the blob unchanged, as in ncnn.
"""
from __future__ import annotations

import numpy as np

from ..layer import INTS, Layer, Param
from ..option import Option


class ExpandDims(Layer):
    type_name = "ExpandDims"
    axes = Param(3, INTS, ())

    def check_params(self) -> None:
        # the pip ncnn refuses more than 4 axes or one outside [-4, 3] at load
        if len(self.axes) > 4 or any(not -4 <= a <= 3 for a in self.axes):
            raise self.param_error(f"axes {list(self.axes)}: at most 4, each in [-4, 3]")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        outdims = x.ndim + len(self.axes)
        if not 2 <= outdims <= 4:
            return x
        expand = [False] * outdims
        for axis in self.axes:
            axis = axis + outdims if axis < 0 else axis
            if 0 <= axis < outdims:
                expand[axis] = True
        if not any(expand):
            return x
        # ncnn reads the input's w, h, c (a missing one is 1) innermost first into the kept axes
        source = list(reversed(x.shape)) + [1] * (3 - x.ndim)
        shape: list[int] = []
        for flag in reversed(expand):
            shape.append(1 if flag else source.pop(0))
        return x.reshape(tuple(reversed(shape)))
