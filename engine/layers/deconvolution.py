"""Deconvolution (transposed convolution). Pads crop the full output; output_w/h with -233/-234
pads trim it to a size, the surplus split towards the end (-233) or the start (-234)."""
from __future__ import annotations

import numpy as np

from ..kernels.conv import DeconvWeights, deconv2d, prepare_deconv
from ..layer import INT, Param
from ..option import Option
from ._conv_family import Conv2DFamily


class Deconvolution(Conv2DFamily):
    type_name = "Deconvolution"
    output_pad_right = Param(18, INT, 0)
    output_pad_bottom = Param(19, INT, same_as="output_pad_right")
    output_w = Param(20, INT, 0)
    output_h = Param(21, INT, same_as="output_w")
    dynamic_weight = Param(28, INT, 0)

    def check_params(self) -> None:
        super().check_params()
        if min(self.output_pad_right, self.output_pad_bottom, self.output_w, self.output_h) < 0:
            raise self.param_error("output_pad (18, 19) and output_w/h (20, 21) must be >= 0")

    def create_pipeline(self, opt: Option) -> None:
        self.prepared = None if self.dynamic_weight else prepare_deconv(
            self.weight_array(), self.bias_array(), self.group)

    def prepare_dynamic(self, bottoms: list[np.ndarray]) -> DeconvWeights:
        w = bottoms[1]  # (in, out/group, kh, kw), as PyTorch's ConvTranspose2d stores it
        g = self.group
        if w.ndim != 4 or w.shape[0] % g:
            raise self.runtime_error(f"weight blob must be 4-D (in, out/group, kh, kw), in a multiple of "
                                     f"group {g}", bottoms)
        cin, out_g, kh, kw = w.shape
        w = w.reshape(g, cin // g, out_g, kh, kw).transpose(0, 2, 1, 3, 4).reshape(g * out_g, cin // g, kh, kw)
        return prepare_deconv(w, self.dynamic_bias(bottoms, g * out_g), g)

    def compute(self, x: np.ndarray, dw: DeconvWeights, bottoms: list[np.ndarray]) -> np.ndarray:
        if x.ndim != 3 or x.shape[0] != dw.num_input:
            raise self.runtime_error(f"expects a (c={dw.num_input}, h, w) input", bottoms)
        full = deconv2d(x, dw, self.stride(), self.dilation(), (self.output_pad_bottom, self.output_pad_right))
        top, bottom, left, right = self.pads()
        if max(top, bottom, left, right) <= 0:
            if not (self.output_w > 0 and self.output_h > 0):
                return np.ascontiguousarray(full)
            hcut, wcut = full.shape[1] - self.output_h, full.shape[2] - self.output_w
            if -233 in self.pads():
                top, bottom, left, right = hcut // 2, hcut - hcut // 2, wcut // 2, wcut - wcut // 2
            elif -234 in self.pads():
                top, bottom, left, right = hcut - hcut // 2, hcut // 2, wcut - wcut // 2, wcut // 2
            else:
                raise self.runtime_error("output_w/output_h (20/21) are set but the pads are not -233/-234 "
                                         "(ncnn produces no output then)", bottoms)
            if hcut < 0 or wcut < 0:
                raise self.runtime_error(f"output {self.output_h}x{self.output_w} is larger than the full "
                                         f"map {full.shape[1]}x{full.shape[2]}", bottoms)
        h, w = full.shape[1] - top - bottom, full.shape[2] - left - right
        if h < 1 or w < 1:
            raise self.runtime_error(f"cropping {top, bottom, left, right} leaves nothing of "
                                     f"{full.shape[1]}x{full.shape[2]}", bottoms)
        return np.ascontiguousarray(full[:, top:top + h, left:left + w])
