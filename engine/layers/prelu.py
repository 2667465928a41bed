"""PReLU: x < 0 ? x * slope : x, one slope shared (num_slope=1) or one per outermost axis.

The per-slope axis is the outermost one of ncnn's layout: w for a 1-D blob, h for 2-D, c for 3-D/4-D.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Layer, Param
from ..option import Option


class PReLU(Layer):
    type_name = "PReLU"
    num_slope = Param(0, INT, 0)
    _select = None  # np.maximum / np.minimum when the slopes allow the two-pass form (create_pipeline)

    def check_params(self) -> None:
        if self.num_slope < 1:  # ncnn fails to load an empty slope_data
            raise self.param_error(f"num_slope must be at least 1, got {self.num_slope}")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "slope_data", self.num_slope, tagged=False)

    def create_pipeline(self, opt: Option) -> None:
        s = self.weights["slope_data"]
        # With every slope in (0, 1] (or negative), x<0 ? s*x : x is max(x, s*x); with every
        # slope >= 1 it is min(x, s*x): two passes instead of four. A zero slope takes the
        # exact masked form, since s*x would turn +inf into NaN there.
        if np.all(s != 0) and np.all(s <= 1):
            self._select = np.maximum
        elif np.all(s >= 1):
            self._select = np.minimum
        else:
            self._select = None

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        slope_data = self.weights["slope_data"]
        if self.num_slope > 1:
            n = x.shape[0]
            if self.num_slope < n:  # ncnn would read past the end of slope_data
                raise self.runtime_error(f"{self.num_slope} slopes for an outermost axis of {n}", [x])
            slope = slope_data[:n].reshape((n,) + (1,) * (x.ndim - 1))
        else:
            slope = slope_data[0]
        select = self._select
        with np.errstate(all="ignore"):  # inf * 0 is NaN, as in ncnn
            if select is not None:
                y = np.multiply(x, slope)
                return select(y, x, out=y)
            # max(x, 0) + slope * min(x, 0): exact for every slope, no boolean mask.
            neg = np.minimum(x, np.float32(0))
            neg *= slope
            y = np.maximum(x, np.float32(0))
            y += neg
            return y
