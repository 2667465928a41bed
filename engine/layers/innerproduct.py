"""InnerProduct: fully connected layer, `y = act(W x + b)`, with a fused activation (9=, 10=).

Params: 0=num_output 1=bias_term(0) 2=weight_data_size 8=int8_scale_term(0) 9=activation_type
10=activation_params. Weights: `weight_data` tagged `[num_output][num_input]` (fp32/fp16/int8),
`bias_data` raw `[num_output]`; with int8_scale_term, `weight_data_int8_scales` raw `[num_output]` and
`bottom_blob_int8_scales` raw `[1]`.

Input: a 2-D blob whose width equals num_input is a batch of rows (output `(h, num_output)`); any
other blob is flattened in C order (output `(num_output,)`). With int8_scale_term ncnn runs its int8
path (it even quantises fp32 weights at load time). Here int8 weights run ncnn's int8 path under
`opt.use_int8_inference` (exact int32 sums, kernels/int8.py) and are dequantised (w / scale) without
it; fp32 weights with int8 scales run in fp32, as for Convolution.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.activation import apply_activation
from ..kernels.int8 import dequant_scales, dequantize, int_matmul, quantize
from ..layer import FLOATS, INT, Layer, Param
from ..option import Option
from ._conv_family import ACTIVATION_PARAMS


class InnerProduct(Layer):
    type_name = "InnerProduct"
    num_output = Param(0, INT, 0)
    bias_term = Param(1, INT, 0)
    weight_data_size = Param(2, INT, 0)
    int8_scale_term = Param(8, INT, 0)
    activation_type = Param(9, INT, 0)
    activation_params = Param(10, FLOATS, ())

    def check_params(self) -> None:
        if self.num_output < 1:
            raise self.param_error(f"num_output (0) {self.num_output} must be >= 1")
        if self.weight_data_size < 1 or self.weight_data_size % self.num_output:
            raise self.param_error(f"weight_data_size (2) {self.weight_data_size} is not a positive multiple "
                                   f"of num_output {self.num_output}")
        n_act = ACTIVATION_PARAMS.get(self.activation_type)
        if n_act is None:
            raise self.param_error(f"activation_type (9) {self.activation_type} is not one of 0..6")
        if len(self.activation_params) < n_act:
            raise self.param_error(f"activation_type {self.activation_type} needs {n_act} activation_params "
                                   f"(10), got {len(self.activation_params)}")

    @property
    def num_input(self) -> int:
        return self.weight_data_size // self.num_output

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "weight_data", self.weight_data_size, tagged=True)
        if self.bias_term:
            self.load_weight(reader, "bias_data", self.num_output, tagged=False)
        if self.int8_scale_term:
            self.load_weight(reader, "weight_data_int8_scales", self.num_output, tagged=False)
            self.load_weight(reader, "bottom_blob_int8_scales", 1, tagged=False)
        elif self.weights["weight_data"].dtype == np.int8:
            raise self.param_error("int8 weights but int8_scale_term (8) is 0: the int8 scales are missing")

    def create_pipeline(self, opt: Option) -> None:
        w = self.weights["weight_data"].reshape(self.num_output, self.num_input)
        if w.dtype == np.int8:  # only reached without int8 inference: dequantise per output row
            s = self.weights["weight_data_int8_scales"]
            inv = np.divide(1, s, out=np.zeros_like(s), where=s != 0)
            w = w.astype(np.float32) * inv[:, None]
        # (num_output, num_input) row-major: W @ x for a vector, X @ W.T (BLAS reads the view) for rows
        self.w = np.ascontiguousarray(w, dtype=np.float32)
        b = self.weights.get("bias_data")
        self.bias = None if b is None else np.asarray(b, np.float32)
        self.wq = None
        if self.weights["weight_data"].dtype == np.int8:  # int8 inference: exact integer sums
            self.wq = self.weights["weight_data"].reshape(self.num_output, self.num_input).astype(np.float32)
            s_in = self.weights["bottom_blob_int8_scales"].reshape(-1)[0]
            self.s_in = np.float32(s_in)
            self.scale_in = dequant_scales(s_in, self.weights["weight_data_int8_scales"])

    def forward_int8(self, x: np.ndarray) -> np.ndarray:
        """ncnn's forward_int8: quantise with the bottom scale unless the blob is int8 already, sum in
        int32, dequantise with bias (never requantises), fused activation."""
        xq = x if x.dtype == np.int8 else quantize(x, self.s_in)
        if xq.ndim == 2 and xq.shape[1] == self.num_input:
            acc = int_matmul(xq, self.wq.T)  # (h, num_output)
        else:
            if xq.size != self.num_input:
                raise self.runtime_error(f"the weights expect {self.num_input} input values, the blob has "
                                         f"{xq.size}", [x])
            acc = int_matmul(self.wq, xq.reshape(-1, 1))[:, 0]
        # ncnn's x86 int8 InnerProduct rounds the product, then adds the bias (no FMA): measured
        # bit-exact against pip ncnn in tests/engine/layers/test_innerproduct_int8.py.
        y = dequantize(acc, self.scale_in, self.bias, fused=False)
        return apply_activation(y, self.activation_type, self.activation_params)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if self.weights["weight_data"].dtype == np.int8 and opt.use_int8_inference:
            return self.forward_int8(x)
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 2 and x.shape[1] == self.num_input:
            y = np.dot(x, self.w.T)  # one output row per input row
        else:
            if x.size != self.num_input:
                raise self.runtime_error(f"the weights expect {self.num_input} input values, the blob has "
                                         f"{x.size}", [x])
            y = np.dot(self.w, x.reshape(-1))
        if self.bias is not None:
            y += self.bias
        return apply_activation(y, self.activation_type, self.activation_params)
