"""LSTM: ncnn's long short-term memory layer, gates in ncnn's I F O G order (PyTorch's is I F G O).

c = sig(F) * c + sig(I) * tanh(G), h = sig(O) * tanh(c); with 3=hidden_size != num_output the cell has
hidden_size units and h is projected to num_output by W_hr (PyTorch's proj_size).
Directions 0 / 1 / 2; optional bottoms 2 and 3 give the initial hidden `(dirs, num_output)` and cell
`(dirs, hidden_size)` states, optional tops 2 and 3 return the final ones.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.recurrent import RecurrentLayer, lstm_scan, project
from ..layer import INT, Param
from ..option import Option


class LSTM(RecurrentLayer):
    type_name = "LSTM"
    hidden_size = Param(3, INT, same_as="num_output")
    gates = 4

    def state_widths(self) -> tuple[int, ...]:
        return (self.num_output, self.hidden_size)

    def unit_size(self) -> int:
        return self.hidden_size

    def load_model(self, reader: WeightReader) -> None:
        nd, n, hs, size = self.num_directions, self.num_output, self.hidden_size, self.input_size()
        self.load_float(reader, "weight_xc_data", (nd, 4 * hs, size))
        self.load_float(reader, "bias_c_data", (nd, 4, hs))
        self.load_float(reader, "weight_hc_data", (nd, 4 * hs, n))
        if n != hs:
            self.load_float(reader, "weight_hr_data", (nd, n, hs))

    def create_pipeline(self, opt: Option) -> None:
        self._w_hcT = [np.ascontiguousarray(w.T) for w in self.weights["weight_hc_data"]]
        hr = self.weights.get("weight_hr_data")
        self._w_hrT = [None] * self.num_directions if hr is None else [np.ascontiguousarray(w.T) for w in hr]

    def scan(self, d: int, x: np.ndarray, states: list[np.ndarray], reverse: bool) -> np.ndarray:
        xp = project(x, self.weights["weight_xc_data"][d], self.weights["bias_c_data"][d].reshape(-1))
        return lstm_scan(xp, self._w_hcT[d], self._w_hrT[d], states[0], states[1], reverse)
