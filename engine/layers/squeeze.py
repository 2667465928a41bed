"""Squeeze: drops size-1 axes, chosen by the flags `0=w 1=h 11=d 2=c` or by numpy-style `3=axes`.

As in ncnn: when `axes` is given the flags are ignored; an axis (or flag) whose size is not 1, or an
axis out of range, is silently kept (numpy would raise); squeezing every axis leaves a 1-D `[1]`.
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, INTS, Layer, Param
from ..option import Option

# ncnn axis names of a numpy view, outermost first
_NAMES = {1: "w", 2: "hw", 3: "chw", 4: "cdhw"}


class Squeeze(Layer):
    type_name = "Squeeze"
    squeeze_w = Param(0, INT, 0)
    squeeze_h = Param(1, INT, 0)
    squeeze_d = Param(11, INT, 0)
    squeeze_c = Param(2, INT, 0)
    axes = Param(3, INTS, ())

    def check_params(self) -> None:
        # the pip ncnn refuses more than 4 axes or one outside [-4, 3] at load
        if len(self.axes) > 4 or any(not -4 <= a <= 3 for a in self.axes):
            raise self.param_error(f"axes {list(self.axes)}: at most 4, each in [-4, 3]")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        names = _NAMES.get(x.ndim)
        if names is None:
            raise self.runtime_error("expects a 1-D to 4-D blob", [x])
        drop = [False] * x.ndim
        if self.axes:
            for axis in self.axes:
                axis = axis + x.ndim if axis < 0 else axis
                if 0 <= axis < x.ndim:
                    drop[axis] = x.shape[axis] == 1
        else:
            flags = {"w": self.squeeze_w, "h": self.squeeze_h, "d": self.squeeze_d, "c": self.squeeze_c}
            drop = [bool(flags[n]) and x.shape[i] == 1 for i, n in enumerate(names)]
        if not any(drop):
            return x
        shape = tuple(s for s, gone in zip(x.shape, drop, strict=False) if not gone) or (1,)
        return x.reshape(shape)
