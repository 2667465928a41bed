"""ConvolutionDepthWise: grouped convolution (depthwise when group == channels == num_output).

Weights are [group][out/group][in/group][kh][kw]; ncnn refuses num_output % group != 0 at load.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Param
from ._conv_family import ConvForward


class ConvolutionDepthWise(ConvForward):
    type_name = "ConvolutionDepthWise"
    group = Param(7, INT, 1)

    def load_int8_scales(self, reader: WeightReader) -> None:
        term = self.int8_scale_term
        if term in (1, 101):  # one weight scale per group
            self.load_weight(reader, "weight_data_int8_scales", self.group, tagged=False)
            self.load_weight(reader, "bottom_blob_int8_scales", 1, tagged=False)
        elif term in (2, 102):  # one weight scale shared by all groups
            self.load_weight(reader, "weight_data_int8_scales", 1, tagged=False)
            self.load_weight(reader, "bottom_blob_int8_scales", 1, tagged=False)
        if term > 100:
            self.load_weight(reader, "top_blob_int8_scales", 1, tagged=False)

    def dequantize(self, w: np.ndarray) -> np.ndarray:
        scales = self.weights.get("weight_data_int8_scales")
        if scales is None:
            raise self.param_error(f"int8 weights but int8_scale_term (8) {self.int8_scale_term} "
                                   f"gives no weight scales")
        scales = np.broadcast_to(scales, (self.group,))
        inv = np.divide(1, scales, out=np.zeros(self.group, np.float32), where=scales != 0)
        return w.reshape(self.group, -1).astype(np.float32) * inv[:, None]

    def per_output_weight_scales(self) -> np.ndarray:
        scales = np.asarray(self.weights["weight_data_int8_scales"], np.float32).reshape(-1)
        per_group = np.broadcast_to(scales, (self.group,)) if scales.size == 1 else scales
        return np.repeat(per_group, self.num_output // self.group)

    def int8_fused_dequant(self) -> bool:
        # ncnn's x86 depthwise int8 code: the 3x3 s1/s2 kernels (activation none/ReLU) fill the output
        # with the bias and FMA into it; its generic loop multiplies, then adds. Grouped (not
        # depthwise) layers run Convolution sub-layers, which dequantise with FMA.
        if not (self.group == self.num_input == self.num_output):
            return True
        return (self.kernel() == (3, 3) and self.dilation() == (1, 1) and self.stride() in ((1, 1), (2, 2))
                and self.activation_type in (0, 1))

    def int8_zero_guard(self) -> bool:
        # The x86 3x3 float-output kernels compute 1 / (s_in * s_w) without ncnn's zero check.
        return not (self.int8_scale_term < 100 and self.group == self.num_input == self.num_output
                    and self.int8_fused_dequant() and self.kernel() == (3, 3))
