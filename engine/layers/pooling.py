"""Pooling: max or average over 2-D windows of a (c, h, w) blob; global and adaptive variants.

Global pooling returns a 1-D blob of c values. A 2-D (h, w) input is one channel, a 1-D (w,) input one
row of one channel, as in ncnn's generic code. (ncnn's x86 build packs a 2-D blob whose height, or a 1-D
blob whose length, is a multiple of 4 and then pools across the packed lanes: garbage, not imitated.
Adaptive pooling does not pack.) The maths is in kernels/pooling.py.
"""
from __future__ import annotations

import numpy as np

from ..kernels.pooling import PoolingShapeError, adaptive_pool, global_pool, window_pool
from ..layer import INT, Layer, Param
from ..option import Option

SAME_AS_INPUT = -233  # adaptive out_w / out_h: keep the input size


class Pooling(Layer):
    type_name = "Pooling"
    pooling_type = Param(0, INT, 0)
    kernel_w = Param(1, INT, 0)
    kernel_h = Param(11, INT, same_as="kernel_w")
    stride_w = Param(2, INT, 1)
    stride_h = Param(12, INT, same_as="stride_w")
    pad_left = Param(3, INT, 0)
    pad_right = Param(14, INT, same_as="pad_left")
    pad_top = Param(13, INT, same_as="pad_left")
    pad_bottom = Param(15, INT, same_as="pad_top")
    global_pooling = Param(4, INT, 0)
    pad_mode = Param(5, INT, 0)
    avgpool_count_include_pad = Param(6, INT, 0)
    adaptive_pooling = Param(7, INT, 0)
    out_w = Param(8, INT, 0)
    out_h = Param(18, INT, same_as="out_w")

    def check_params(self) -> None:
        if self.pooling_type not in (0, 1):
            # ncnn loads it but never fills the output
            raise self.param_error(f"pooling_type (0) {self.pooling_type} is not 0 (max) or 1 (average)")
        if self.global_pooling:
            return
        if self.adaptive_pooling:
            for pid, v in ((8, self.out_w), (18, self.out_h)):
                if v < 1 and v != SAME_AS_INPUT:
                    raise self.param_error(f"adaptive output size ({pid}) {v} must be >= 1 or -233")
            return
        if self.pad_mode not in (0, 1, 2, 3):
            raise self.param_error(f"pad_mode (5) {self.pad_mode} is not one of 0..3")
        if self.kernel_w < 1 or self.kernel_h < 1:
            raise self.param_error(f"kernel {self.kernel_h}x{self.kernel_w} (11, 1) must be >= 1")
        if self.stride_w < 1 or self.stride_h < 1:
            raise self.param_error(f"stride {self.stride_h}x{self.stride_w} (12, 2) must be >= 1")
        pads = (self.pad_top, self.pad_bottom, self.pad_left, self.pad_right)
        if min(pads) < 0:
            raise self.param_error(f"pads (top, bottom, left, right) {pads} must be >= 0")

    def as_image(self, x: np.ndarray, bottoms: list[np.ndarray]) -> np.ndarray:
        """x as (c, h, w): ncnn sees a 2-D blob as one channel, a 1-D blob as one row."""
        if x.ndim == 3:
            return x
        if x.ndim in (1, 2):
            return x.reshape((1,) * (3 - x.ndim) + x.shape)
        raise self.runtime_error(f"{self.type_name} takes 1-D, 2-D or 3-D blobs", bottoms)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        img = self.as_image(x, [x])
        if self.global_pooling:
            return global_pool(img, self.pooling_type)
        if self.adaptive_pooling:
            c, h, w = img.shape
            outw = w if self.out_w == SAME_AS_INPUT else self.out_w
            outh = h if self.out_h == SAME_AS_INPUT else self.out_h
            if outw == w and outh == h:
                return x  # ncnn shares the input blob
            if c * outh * outw * 4 > opt.max_blob_bytes:
                raise self.runtime_error(f"adaptive output {outh}x{outw} exceeds the blob size limit", [x])
            return adaptive_pool(img, self.pooling_type, outh, outw)
        try:
            return window_pool(img, self.pooling_type, (self.kernel_h, self.kernel_w), (self.stride_h, self.stride_w),
                               (self.pad_top, self.pad_bottom, self.pad_left, self.pad_right), self.pad_mode,
                               self.avgpool_count_include_pad)
        except PoolingShapeError as e:
            raise self.runtime_error(str(e), [x]) from e
