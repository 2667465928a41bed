"""GRU: ncnn's gated recurrent unit (gates R, U, N; PyTorch's linear-before-reset form).

r = sig(W_xr x + b_r + W_hr h), u = sig(W_xu x + b_u + W_hu h),
n = tanh(W_xn x + b_wn + r * (W_hn h + b_hn)), h = (1 - u) * n + u * h.
Directions 0 / 1 / 2 and the optional initial / final hidden state blobs as in RNN.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.recurrent import RecurrentLayer, gru_scan, project
from ..option import Option


class GRU(RecurrentLayer):
    type_name = "GRU"
    gates = 3

    def load_model(self, reader: WeightReader) -> None:
        nd, n, size = self.num_directions, self.num_output, self.input_size()
        self.load_float(reader, "weight_xc_data", (nd, 3 * n, size))
        # rows: R, U, N (input side), N (hidden side, applied before the reset gate)
        self.load_float(reader, "bias_c_data", (nd, 4, n))
        self.load_float(reader, "weight_hc_data", (nd, 3 * n, n))

    def create_pipeline(self, opt: Option) -> None:
        self._w_hcT = [np.ascontiguousarray(w.T) for w in self.weights["weight_hc_data"]]
        # the input-side biases fold into the time-batched projection; b_hn stays in the loop
        self._b_x = [np.ascontiguousarray(b[:3].reshape(-1)) for b in self.weights["bias_c_data"]]

    def scan(self, d: int, x: np.ndarray, states: list[np.ndarray], reverse: bool) -> np.ndarray:
        xp = project(x, self.weights["weight_xc_data"][d], self._b_x[d])
        return gru_scan(xp, self._w_hcT[d], self.weights["bias_c_data"][d, 3], states[0], reverse)
