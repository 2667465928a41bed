"""Reorg: space to depth, (c, h, w) -> (c·s², h / s, w / s) with s = stride (YOLOv2's passthrough layer).

Output channel p at (i, j) reads input channel q at (i·s + sh, j·s + sw) with p = q·s² + sh·s + sw in
mode 0, or p = (sh·s + sw)·c + q in mode 1 (the inverse orderings of PixelShuffle). As in ncnn the size is
floored (trailing rows and columns dropped) and a 2-D or 1-D input is one channel; the output is 3-D.
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option


class Reorg(Layer):
    type_name = "Reorg"
    stride = Param(0, INT, 1)
    mode = Param(1, INT, 0)

    def check_params(self) -> None:
        if self.stride < 1:
            raise self.param_error(f"stride (0) {self.stride} must be >= 1")
        if self.mode not in (0, 1):
            raise self.param_error(f"mode (1) {self.mode} is not 0 or 1")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if x.ndim not in (1, 2, 3):
            raise self.runtime_error("Reorg takes 1-D, 2-D or 3-D blobs", [x])
        x = x.reshape((1,) * (3 - x.ndim) + x.shape)
        c, h, w = x.shape
        s = self.stride
        outh, outw = h // s, w // s
        if outh == 0 or outw == 0:
            raise self.runtime_error(f"a {h}x{w} input is smaller than the stride {s}", [x])
        blocks = x[:, :outh * s, :outw * s].reshape(c, outh, s, outw, s)  # (q, i, sh, j, sw)
        if self.mode == 0:
            blocks = blocks.transpose(0, 2, 4, 1, 3)
        else:
            blocks = blocks.transpose(2, 4, 0, 1, 3)
        return np.ascontiguousarray(blocks).reshape(c * s * s, outh, outw)
