"""Normalize (SSD's L2Norm): divide by the L2 norm over the whole blob, each channel, or each pixel
across channels, then multiply by a learned scale (shared, or one per channel).

eps_mode: 0 caffe/mxnet 1/sqrt(ssum + eps); 1 pytorch 1/max(sqrt(ssum), eps); 2 tensorflow
1/sqrt(max(ssum, eps)). A 1-D or 2-D blob is one channel. With neither across_spatial nor
across_channel ncnn leaves the blob unchanged.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.norm import F32, sse_sum
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class Normalize(Layer):
    type_name = "Normalize"
    across_spatial = Param(0, INT, 0)
    channel_shared = Param(1, INT, 0)
    eps = Param(2, FLOAT, 0.0001)
    scale_data_size = Param(3, INT, 0)
    across_channel = Param(4, INT, 1)
    eps_mode = Param(9, INT, 0)

    def check_params(self) -> None:
        if self.scale_data_size <= 0:  # ncnn always loads the scale; a 0-sized load fails
            raise self.param_error(f"scale_data_size must be positive, got {self.scale_data_size}")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "scale_data", self.scale_data_size, tagged=False)

    def inv_norm(self, ssum: np.ndarray) -> np.ndarray:
        eps = F32(self.eps)
        if self.eps_mode == 0:
            return F32(1) / np.sqrt(ssum + eps)
        if self.eps_mode == 1:
            return F32(1) / np.maximum(np.sqrt(ssum), eps)
        return F32(1) / np.sqrt(np.maximum(ssum, eps))

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        c = x.shape[0] if x.ndim >= 3 else 1
        flat = x.reshape(c, -1)
        scale = self.weights["scale_data"]
        if not (self.channel_shared or c <= scale.shape[0]):
            raise self.runtime_error(f"{c} channels but only {scale.shape[0]} scale values", [x])
        per_ch = np.broadcast_to(scale[:1], (c,)) if self.channel_shared else scale[:c]
        if not self.across_spatial and not self.across_channel:
            return x.copy()
        sq = flat * flat
        if self.across_spatial:
            ssum = sse_sum(sq)  # per channel, in the order of ncnn's vectorised loop
            if self.across_channel:
                ssum = np.broadcast_to(sse_sum(ssum[None, :]), (c,))
            y = flat * (self.inv_norm(ssum) * per_ch)[:, None]
        else:
            # per pixel across channels, channels summed in order
            ssum = np.add.accumulate(sq, axis=0, dtype=F32)[-1]
            a = self.inv_norm(ssum)
            if self.channel_shared:
                y = flat * (a * per_ch[0])[None, :]
            else:
                y = flat * a[None, :]
                y *= per_ch[:, None]
        return y.reshape(x.shape)
