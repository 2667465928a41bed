"""LRN: local response normalisation, y = x * (bias + alpha/n * sum of x^2 over a window)^(-beta).

region_type 0 (across channels): the window is the local_size channels from q - local_size/2 (so an
even local_size reaches one channel further back than forward; older ncnn took local_size + 1
channels there, the current one does not) and n = local_size. region_type 1
(within channel): a local_size x local_size zero-padded spatial window and n = local_size^2.
A 1-D or 2-D blob is one channel. For a 4-D blob ncnn only treats the first depth slice of each
channel (it sizes its buffers by w*h) and leaves the rest as is; we do the same.
"""
from __future__ import annotations

import numpy as np

from ..kernels.norm import F32
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class LRN(Layer):
    type_name = "LRN"
    region_type = Param(0, INT, 0)
    local_size = Param(1, INT, 5)
    alpha = Param(2, FLOAT, 1.0)
    beta = Param(3, FLOAT, 0.75)
    bias = Param(4, FLOAT, 1.0)

    def check_params(self) -> None:
        if self.region_type not in (0, 1):
            raise self.param_error(f"region_type must be 0 (across channels) or 1 (within channel), "
                                   f"got {self.region_type}")
        if self.local_size <= 0:
            raise self.param_error(f"local_size must be positive, got {self.local_size}")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if x.ndim == 4:
            y = x.copy()
            y[:, 0] = self.lrn3d(x[:, 0])
            return y
        shape3 = (1,) * (3 - x.ndim) + x.shape
        return self.lrn3d(x.reshape(shape3)).reshape(x.shape)

    def lrn3d(self, x: np.ndarray) -> np.ndarray:
        c, h, w = x.shape
        sq = x * x
        ls = self.local_size
        half = ls // 2
        ss = np.zeros_like(sq)
        if self.region_type == 0:
            n = F32(ls)
            padded = np.zeros((c + ls - 1, h, w), F32)
            padded[half:half + c] = sq
            # float32 adds in ncnn's order: channel q - half upwards (zero padding adds exactly 0)
            for k in range(ls):
                ss += padded[k:k + c]
        else:
            n = F32(ls * ls)
            padded = np.zeros((c, h + ls - 1, w + ls - 1), F32)
            padded[:, half:half + h, half:half + w] = sq
            for ky in range(ls):
                for kx in range(ls):
                    ss += padded[:, ky:ky + h, kx:kx + w]
        alpha_div_size = F32(self.alpha) / n
        ss *= alpha_div_size
        ss += F32(self.bias)
        np.power(ss, F32(-self.beta), out=ss)
        ss *= x
        return ss
