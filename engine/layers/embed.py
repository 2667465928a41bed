"""Embed: looks up rows of a `[input_dim][num_output]` table; output `(words, num_output)`.

Params `0=num_output 1=input_dim 2=bias_term 3=weight_data_size 18=int8_scale_term`. Weights: the
table (tagged), then the bias `[num_output]` (raw) if bias_term, then one raw weight scale if
int8_scale_term (the table is then int8 and is multiplied by 1/scale, as ncnn does).

As in ncnn: the word count is the input's w, and the first w elements of the data are read as
**int32** indices: an int32 blob is used as is, a float32 blob has its bits reinterpreted (so 1.0
is index 1065353216, not 1). Indices are clamped to [0, input_dim - 1].
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Layer, Param
from ..option import Option


class Embed(Layer):
    type_name = "Embed"
    num_output = Param(0, INT, 0)
    input_dim = Param(1, INT, 0)
    bias_term = Param(2, INT, 0)
    weight_data_size = Param(3, INT, 0)
    int8_scale_term = Param(18, INT, 0)

    def check_params(self) -> None:
        if self.num_output <= 0 or self.input_dim <= 0:
            raise self.param_error(f"num_output {self.num_output} and input_dim {self.input_dim} must be > 0")
        if self.weight_data_size < self.num_output * self.input_dim:
            # ncnn would read past the table for the last words
            raise self.param_error(f"weight_data_size {self.weight_data_size} < num_output * input_dim "
                                   f"({self.num_output * self.input_dim})")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "weight_data", self.weight_data_size, tagged=True)
        if self.bias_term:
            self.load_weight(reader, "bias_data", self.num_output, tagged=False)
        if self.int8_scale_term:
            self.load_weight(reader, "weight_data_int8_scale", 1, tagged=False)
        is_int8 = self.weights["weight_data"].dtype == np.int8
        if is_int8 != bool(self.int8_scale_term):
            # ncnn would read int8 bytes as floats (or floats as int8 bytes)
            raise self.param_error("int8_scale_term must be set exactly when the table is stored as int8")

    def create_pipeline(self, opt: Option) -> None:
        n = self.num_output * self.input_dim
        table = self.weights["weight_data"][:n].reshape(self.input_dim, self.num_output)
        if self.int8_scale_term:
            descale = np.float32(1) / np.float32(self.weights["weight_data_int8_scale"][0])
            table = table.astype(np.float32) * descale
        else:
            table = table.astype(np.float32, copy=True)
        if self.bias_term:
            table += self.weights["bias_data"]  # ncnn adds the bias per word: the same float sum
        self._table = table

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if x.dtype == np.float32:
            x = x.view(np.int32)  # ncnn reads the blob's bits as int32
        elif x.dtype != np.int32:
            raise self.runtime_error(f"expects an int32 (or float32) index blob, got {x.dtype}", [x])
        words = x.shape[-1]
        index = np.clip(x.reshape(-1)[:words], 0, self.input_dim - 1)
        return self._table[index]
