"""RNN: ncnn's plain recurrent layer, h_t = tanh(W_xc x_t + b + W_hc h_{t-1}), over a `(T, size)` input.

Directions 0 (forward), 1 (reverse), 2 (both, outputs side by side); an optional second bottom gives
the initial hidden state and an optional second top returns the final one (`(dirs, num_output)`).
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.recurrent import RecurrentLayer, project, rnn_scan
from ..option import Option


class RNN(RecurrentLayer):
    type_name = "RNN"
    gates = 1

    def load_model(self, reader: WeightReader) -> None:
        nd, n, size = self.num_directions, self.num_output, self.input_size()
        self.load_float(reader, "weight_xc_data", (nd, n, size))
        self.load_float(reader, "bias_c_data", (nd, n))
        self.load_float(reader, "weight_hc_data", (nd, n, n))

    def create_pipeline(self, opt: Option) -> None:
        # h @ W_hc^T needs the transpose contiguous
        self._w_hcT = [np.ascontiguousarray(w.T) for w in self.weights["weight_hc_data"]]

    def scan(self, d: int, x: np.ndarray, states: list[np.ndarray], reverse: bool) -> np.ndarray:
        xp = project(x, self.weights["weight_xc_data"][d], self.weights["bias_c_data"][d])
        return rnn_scan(xp, self._w_hcT[d], states[0], reverse)
