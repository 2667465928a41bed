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
