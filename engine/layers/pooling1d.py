"""Pooling1D: max or average over windows along w of every row of a (h, w) blob (h = channels).

Global pooling returns a 1-D blob of h values; adaptive pooling needs an explicit out_w (no -233, no
passthrough, unlike Pooling). A 1-D (w,) input is one row. A 3-D input is refused: ncnn would silently
pool the rows of its first channel only. The maths is Pooling's (kernels/pooling.py) with kernel height 1.
"""
from __future__ import annotations

import numpy as np

from ..kernels.pooling import PoolingShapeError, adaptive_pool, global_pool, window_pool
from ..layer import INT, Layer, Param
from ..option import Option


class Pooling1D(Layer):
    type_name = "Pooling1D"
    pooling_type = Param(0, INT, 0)
    kernel_w = Param(1, INT, 0)
    stride_w = Param(2, INT, 1)
    pad_left = Param(3, INT, 0)
    pad_right = Param(14, INT, same_as="pad_left")
    global_pooling = Param(4, INT, 0)
    pad_mode = Param(5, INT, 0)
    avgpool_count_include_pad = Param(6, INT, 0)
    adaptive_pooling = Param(7, INT, 0)
    out_w = Param(8, INT, 0)

    def check_params(self) -> None:
        if self.pooling_type not in (0, 1):
            raise self.param_error(f"pooling_type (0) {self.pooling_type} is not 0 (max) or 1 (average)")
        if self.global_pooling:
            return
        if self.adaptive_pooling:
            if self.out_w < 1:  # no -233 "same as input" here
                raise self.param_error(f"adaptive out_w (8) {self.out_w} must be >= 1")
            return
        if self.pad_mode not in (0, 1, 2, 3):
            raise self.param_error(f"pad_mode (5) {self.pad_mode} is not one of 0..3")
        if self.kernel_w < 1:
            raise self.param_error(f"kernel_w (1) {self.kernel_w} must be >= 1")
        if self.stride_w < 1:
            raise self.param_error(f"stride_w (2) {self.stride_w} must be >= 1")
        if self.pad_left < 0 or self.pad_right < 0:
            raise self.param_error(f"pads (left, right) ({self.pad_left}, {self.pad_right}) must be >= 0")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if x.ndim not in (1, 2):
            raise self.runtime_error("Pooling1D takes 1-D or 2-D (channels, length) blobs", [x])
        rows = x.reshape(-1, x.shape[-1]) if x.ndim == 2 else x.reshape(1, -1)
        if self.global_pooling:
            return global_pool(rows, self.pooling_type)
        img = rows[:, None, :]  # (h, 1, w): every row a channel of height 1
        if self.adaptive_pooling:
            if rows.shape[0] * self.out_w * 4 > opt.max_blob_bytes:
                raise self.runtime_error(f"adaptive out_w {self.out_w} exceeds the blob size limit", [x])
            return adaptive_pool(img, self.pooling_type, 1, self.out_w)[:, 0, :]
        try:
            y = window_pool(img, self.pooling_type, (1, self.kernel_w), (1, self.stride_w),
                            (0, 0, self.pad_left, self.pad_right), self.pad_mode, self.avgpool_count_include_pad)
        except PoolingShapeError as e:
            raise self.runtime_error(str(e), [x]) from e
        return y[:, 0, :]
