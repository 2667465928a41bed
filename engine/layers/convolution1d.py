"""Convolution1D: convolution along w of a 2-D blob (h = channels, w = length)."""
from __future__ import annotations

import numpy as np

from ..kernels.conv import ConvWeights, prepare_conv, resolve_pads
from ..layer import FLOAT, INT, Param
from ..option import Option
from ._conv_family import ConvFamily


class Convolution1D(ConvFamily):
    type_name = "Convolution1D"
    pad_value = Param(18, FLOAT, 0.0)
    dynamic_weight = Param(19, INT, 0)
    input_rank = 2

    def create_pipeline(self, opt: Option) -> None:
        self.prepared = None if self.dynamic_weight else prepare_conv(
            self.weight_array(), self.bias_array(), 1, (1, self.stride_w))

    def prepare_dynamic(self, bottoms: list[np.ndarray]) -> ConvWeights:
        w = bottoms[1]  # (out, in, kw)
        if w.ndim != 3:
            raise self.runtime_error("weight blob must be 3-D (out, in, kw)", bottoms)
        return prepare_conv(w[:, :, None, :], self.dynamic_bias(bottoms, w.shape[0]), 1, (1, self.stride_w))

    def compute(self, x: np.ndarray, cw: ConvWeights, bottoms: list[np.ndarray]) -> np.ndarray:
        if x.ndim != 2 or x.shape[0] != cw.num_input:
            raise self.runtime_error(f"expects a (h={cw.num_input} channels, w) input", bottoms)
        kext = self.dilation_w * (cw.kernel_w - 1) + 1
        pads = (self.pad_left, self.pad_right) * 2  # the h part resolves to 0 for a height of 1
        left, right = resolve_pads(1, x.shape[1], pads, (1, kext), (1, self.stride_w))[2:]
        y = self.pad_and_convolve(x[:, None, :], cw, (0, 0, left, right), (1, self.stride_w),
                                  (1, self.dilation_w), bottoms)
        return y[:, 0, :]
