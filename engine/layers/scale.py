"""Scale: y = x * scale (+ bias) per channel (w for 1-D, h for 2-D, c for 3-D/4-D blobs).

With scale_data_size == -233 the scale comes from a second input blob, one value per channel, and
nothing is loaded from the .bin. ncnn reads that blob linearly, so a (c, 1, 1) blob is only read as
intended when ncnn packs it (c % 4 == 0) and otherwise picks up channel padding; we always use the
intended per-channel values.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Layer, Param
from ..option import Option


class Scale(Layer):
    type_name = "Scale"
    one_blob_only = False
    scale_data_size = Param(0, INT, 0)
    bias_term = Param(1, INT, 0)

    def check_params(self) -> None:
        if self.scale_data_size == -233:
            if self.bias_term:  # ncnn loads no bias then, and would read an empty one
                raise self.param_error("bias_term needs a loaded bias, which scale_data_size=-233 does not load")
        elif self.scale_data_size <= 0:
            raise self.param_error(f"scale_data_size must be positive or -233, got {self.scale_data_size}")

    def load_model(self, reader: WeightReader) -> None:
        if self.scale_data_size == -233:
            return
        self.load_weight(reader, "scale_data", self.scale_data_size, tagged=False)
        if self.bias_term:
            self.load_weight(reader, "bias_data", self.scale_data_size, tagged=False)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        want = 2 if self.scale_data_size == -233 else 1
        if len(bottoms) != want:
            raise self.runtime_error(f"expects {want} input blob(s), got {len(bottoms)}", bottoms)
        x = bottoms[0]
        scale = bottoms[1].reshape(-1) if want == 2 else self.weights["scale_data"]
        n = x.shape[0]
        if n > scale.shape[0]:
            raise self.runtime_error(f"the channel axis has {n} entries but there are {scale.shape[0]} scales",
                                     bottoms)
        shape = (n,) + (1,) * (x.ndim - 1)
        y = x * scale[:n].astype(np.float32, copy=False).reshape(shape)
        if self.bias_term:
            y += self.weights["bias_data"][:n].reshape(shape)
        return [y]
