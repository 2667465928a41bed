"""PixelShuffle: depth to space, (c, h, w) -> (c / r², h·r, w·r) with r = upscale_factor.

Output channel p, sub-position (sh, sw) comes from input channel p·r² + sh·r + sw in mode 0 (PyTorch
pixel_shuffle) or (sh·r + sw)·outc + p in mode 1 (TensorFlow depth_to_space, DCR). As in ncnn the channel
count is floored to a multiple of r² (extra channels are ignored), and a 2-D or 1-D input is one channel
(so only r = 1 gives an output, a 3-D one).
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option


class PixelShuffle(Layer):
    type_name = "PixelShuffle"
    upscale_factor = Param(0, INT, 1)
    mode = Param(1, INT, 0)

    def check_params(self) -> None:
        if self.upscale_factor < 1:
            raise self.param_error(f"upscale_factor (0) {self.upscale_factor} must be >= 1")
        if self.mode not in (0, 1):
            raise self.param_error(f"mode (1) {self.mode} is not 0 or 1")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if x.ndim not in (1, 2, 3):
            raise self.runtime_error("PixelShuffle takes 1-D, 2-D or 3-D blobs", [x])
        x = x.reshape((1,) * (3 - x.ndim) + x.shape)
        c, h, w = x.shape
        r = self.upscale_factor
        outc = c // (r * r)
        if outc == 0:
            raise self.runtime_error(f"{c} channels are fewer than upscale_factor² = {r * r}", [x])
        x = x[:outc * r * r]
        if self.mode == 0:
            blocks = x.reshape(outc, r, r, h, w).transpose(0, 3, 1, 4, 2)  # (p, i, sh, j, sw)
        else:
            blocks = x.reshape(r, r, outc, h, w).transpose(2, 3, 0, 4, 1)
        return np.ascontiguousarray(blocks).reshape(outc, h * r, w * r)
