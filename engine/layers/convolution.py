"""Convolution: 2-D convolution with padding, dilation, stride, bias and a fused activation.

Optional: dynamic weights (19=1: weight and bias come as extra input blobs) and int8 scales (8);
int8 weights run ncnn's int8 path under opt.use_int8_inference (_conv_family.ConvForward.forward_int8).
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..option import Option
from ._conv_family import ConvForward


class Convolution(ConvForward):
    type_name = "Convolution"

    def load_int8_scales(self, reader: WeightReader) -> None:
        if self.int8_scale_term:
            self.load_weight(reader, "weight_data_int8_scales", self.num_output, tagged=False)
            self.load_weight(reader, "bottom_blob_int8_scales", 1, tagged=False)
        if self.int8_scale_term > 100:
            self.load_weight(reader, "top_blob_int8_scales", 1, tagged=False)

    def dequantize(self, w: np.ndarray) -> np.ndarray:
        scales = self.weights["weight_data_int8_scales"]  # one per output channel
        inv = np.divide(1, scales, out=np.zeros_like(scales), where=scales != 0)
        return w.reshape(self.num_output, -1).astype(np.float32) * inv[:, None]

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        x = bottoms[0]
        int8 = opt.use_int8_inference and self.weights.get("weight_data", np.zeros(0)).dtype == np.int8
        if x.ndim == 1 and self.kernel() == (1, 1) and not self.dynamic_weight and not int8:
            # (ncnn's int8 path has no such case; forward_int8 refuses the 1-D blob.)
            # ncnn's deprecated path: a flattened blob through a 1x1 convolution is an InnerProduct.
            if x.shape[0] != self.num_input:  # ncnn's output is undefined then
                raise self.runtime_error(f"a 1-D input to a 1x1 convolution needs {self.num_input} values", bottoms)
            (y,) = super().forward([x.reshape(-1, 1, 1)], opt)
            return [y.reshape(-1)]
        return super().forward(bottoms, opt)
