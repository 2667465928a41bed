"""Shared machinery of Convolution, ConvolutionDepthWise, Convolution1D, Deconvolution(DepthWise).

Params common to the family live on the bases (named and numbered as in ncnn); the concrete layer
files declare what is theirs and say how the weight blob is shaped. The math is in kernels/conv.py.
"""
from __future__ import annotations

import numpy as np

from ..errors import UnsupportedLayerError
from ..formats.ncnn_bin import INT8, WeightReader
from ..kernels.activation import apply_activation
from ..kernels.conv import ConvWeights, conv2d, pad_hw, prepare_conv, resolve_pads
from ..kernels.int8 import dequant_scales, dequantize, float2int8, int8_conv2d, prepare_int8_conv, quantize
from ..layer import FLOAT, FLOATS, INT, Layer, Param
from ..option import Option

# activation_type -> how many activation_params it needs (ncnn reads them unchecked).
ACTIVATION_PARAMS = {0: 0, 1: 0, 2: 1, 3: 2, 4: 0, 5: 0, 6: 2}
SAME = (-233, -234)


class ConvFamily(Layer):
    """Params shared by every member; weight + bias loading; fused activation; dynamic weights."""

    num_output = Param(0, INT, 0)
    kernel_w = Param(1, INT, 0)
    dilation_w = Param(2, INT, 1)
    stride_w = Param(3, INT, 1)
    pad_left = Param(4, INT, 0)
    pad_right = Param(15, INT, same_as="pad_left")
    bias_term = Param(5, INT, 0)
    weight_data_size = Param(6, INT, 0)
    activation_type = Param(9, INT, 0)
    activation_params = Param(10, FLOATS, ())

    input_rank = 3  # (c, h, w); Convolution1D: (h, w)
    group = 1  # ConvolutionDepthWise / DeconvolutionDepthWise override with param 7
    dynamic_weight = 0  # overridden by a Param (19, or 28 for deconvolutions)

    # -- params ---------------------------------------------------------------------------
    def kernel(self) -> tuple[int, int]:
        return getattr(self, "kernel_h", 1), self.kernel_w

    def pads(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) as written."""
        return getattr(self, "pad_top", 0), getattr(self, "pad_bottom", 0), self.pad_left, self.pad_right

    def check_params(self) -> None:
        n_act = ACTIVATION_PARAMS.get(self.activation_type)
        if n_act is None:
            raise self.param_error(f"activation_type (9) {self.activation_type} is not one of 0..6")
        if len(self.activation_params) < n_act:
            raise self.param_error(f"activation_type {self.activation_type} needs {n_act} activation_params "
                                   f"(10), got {len(self.activation_params)}")
        strides = (getattr(self, "stride_h", 1), self.stride_w)
        dilations = (getattr(self, "dilation_h", 1), self.dilation_w)
        if min(strides) < 1 or min(dilations) < 1:
            raise self.param_error(f"stride {strides} and dilation {dilations} must be >= 1")
        pads = self.pads()
        if any(p > 0 for p in pads) and any(p < 0 for p in pads):
            raise self.param_error(f"pads (top, bottom, left, right) {pads} mix positive and negative values")
        if any(p < 0 and p not in SAME for p in pads):
            raise self.param_error(f"pads {pads}: a negative pad must be -233 or -234")
        if self.group < 1:
            raise self.param_error(f"group (7) {self.group} must be >= 1")
        if self.num_output % self.group != 0:
            raise self.param_error(f"num_output (0) {self.num_output} is not a multiple of group (7) {self.group}")
        if self.dynamic_weight:
            return
        kh, kw = self.kernel()
        if self.num_output < 1 or kh < 1 or kw < 1:
            raise self.param_error(f"num_output {self.num_output} and kernel {kh}x{kw} must be >= 1")
        per_input = self.num_output * kh * kw
        if self.weight_data_size < 1 or self.weight_data_size % per_input:
            raise self.param_error(f"weight_data_size (6) {self.weight_data_size} is not a positive multiple "
                                   f"of num_output*kernel_h*kernel_w = {per_input}")

    @property
    def num_input(self) -> int:
        """Input channels the stored weights expect."""
        kh, kw = self.kernel()
        return self.weight_data_size // (self.num_output * kh * kw) * self.group

    # -- weights --------------------------------------------------------------------------
    def load_model(self, reader: WeightReader) -> None:
        if self.dynamic_weight:
            return
        self.load_weight(reader, "weight_data", self.weight_data_size, tagged=True)
        if self.bias_term:
            self.load_weight(reader, "bias_data", self.num_output, tagged=False)
        self.load_int8_scales(reader)
        if self.weight_storage["weight_data"] == INT8:
            if not hasattr(self, "int8_scale_term"):
                raise self.param_error("int8-tagged weights, but this layer type has no int8 support")
            if not self.int8_scale_term:
                raise self.param_error("int8 weights but int8_scale_term (8) is 0: the int8 scales are missing")

    def load_int8_scales(self, reader: WeightReader) -> None:
        """Layers without int8 support read none."""

    def weight_array(self) -> np.ndarray:
        """The stored weights as float32 (out, in/group, kh, kw); int8 weights dequantised."""
        kh, kw = self.kernel()
        w = self.weights["weight_data"]
        shape = (self.num_output, self.num_input // self.group, kh, kw)
        if w.dtype == np.int8:
            return self.dequantize(w).reshape(shape)
        return w.reshape(shape)

    def dequantize(self, w: np.ndarray) -> np.ndarray:
        raise self.param_error("int8 weights are not supported by this layer type")

    def bias_array(self) -> np.ndarray | None:
        return self.weights.get("bias_data")

    # -- running --------------------------------------------------------------------------
    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        want = (2 + bool(self.bias_term)) if self.dynamic_weight else 1
        if len(bottoms) != want:
            raise self.runtime_error(f"expects {want} input blobs, got {len(bottoms)}", bottoms)
        if self.dynamic_weight:
            prepared = self.prepare_dynamic(bottoms)
        else:
            if self.weights["weight_data"].dtype == np.int8 and opt.use_int8_inference:
                return [self.forward_int8(bottoms)]
            prepared = self.prepared
        x = bottoms[0]
        if x.dtype != np.float32:
            x = x.astype(np.float32)
        if x.ndim < self.input_rank:  # ncnn sees a lower-rank blob as one channel (one row)
            x = x.reshape((1,) * (self.input_rank - x.ndim) + x.shape)
        y = self.compute(x, prepared, bottoms)
        return [apply_activation(y, self.activation_type, self.activation_params)]

    def pad_and_convolve(self, x: np.ndarray, cw: ConvWeights, pads: tuple[int, int, int, int],
                         stride: tuple[int, int], dilation: tuple[int, int], bottoms: list[np.ndarray]) -> np.ndarray:
        """Border x (c, h, w) with pad_value by the resolved (top, bottom, left, right), convolve."""
        kext = (dilation[0] * (cw.kernel_h - 1) + 1, dilation[1] * (cw.kernel_w - 1) + 1)
        hp, wp = x.shape[1] + pads[0] + pads[1], x.shape[2] + pads[2] + pads[3]
        if hp < kext[0] or wp < kext[1]:
            raise self.runtime_error(f"padded input {hp}x{wp} is smaller than the kernel extent "
                                     f"{kext[0]}x{kext[1]}", bottoms)
        return conv2d(pad_hw(x, *pads, getattr(self, "pad_value", 0.0)), cw, stride, dilation)

    def forward_int8(self, bottoms: list[np.ndarray]) -> np.ndarray:
        raise UnsupportedLayerError(f"layer '{self.name}': {self.type_name} has no int8 inference")

    def dynamic_bias(self, bottoms: list[np.ndarray], num_output: int) -> np.ndarray | None:
        if not self.bias_term:
            return None
        b = np.asarray(bottoms[2], np.float32).reshape(-1)
        if b.size != num_output:
            raise self.runtime_error(f"bias blob has {b.size} values for {num_output} outputs", bottoms)
        return b

    def prepare_dynamic(self, bottoms: list[np.ndarray]) -> object:
        raise NotImplementedError

    def compute(self, x: np.ndarray, prepared: object, bottoms: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError


class Conv2DFamily(ConvFamily):
    """The 2-D members: separate height params (defaults chain from the width ones)."""

    kernel_h = Param(11, INT, same_as="kernel_w")
    dilation_h = Param(12, INT, same_as="dilation_w")
    stride_h = Param(13, INT, same_as="stride_w")
    pad_top = Param(14, INT, same_as="pad_left")
    pad_bottom = Param(16, INT, same_as="pad_top")

    def stride(self) -> tuple[int, int]:
        return self.stride_h, self.stride_w

    def dilation(self) -> tuple[int, int]:
        return self.dilation_h, self.dilation_w


class ConvForward(Conv2DFamily):
    """Convolution and ConvolutionDepthWise: pad with pad_value, convolve (kernels/conv.py)."""

    pad_value = Param(18, FLOAT, 0.0)
    int8_scale_term = Param(8, INT, 0)
    dynamic_weight = Param(19, INT, 0)

    def create_pipeline(self, opt: Option) -> None:
        self.prepared = None if self.dynamic_weight else prepare_conv(
            self.weight_array(), self.bias_array(), self.group, self.stride())
        if self.int8_scale_term:
            self.create_int8_pipeline()

    def prepare_dynamic(self, bottoms: list[np.ndarray]) -> ConvWeights:
        w = bottoms[1]
        if w.ndim != 4 or w.shape[0] % self.group:
            raise self.runtime_error(f"weight blob must be 4-D (out, in/group, kh, kw) with out a multiple of "
                                     f"group {self.group}", bottoms)
        return prepare_conv(w, self.dynamic_bias(bottoms, w.shape[0]), self.group, self.stride())

    def compute(self, x: np.ndarray, cw: ConvWeights, bottoms: list[np.ndarray]) -> np.ndarray:
        if x.ndim != 3 or x.shape[0] != cw.num_input:
            raise self.runtime_error(f"expects a (c={cw.num_input}, h, w) input", bottoms)
        kext = (self.dilation_h * (cw.kernel_h - 1) + 1, self.dilation_w * (cw.kernel_w - 1) + 1)
        pads = resolve_pads(x.shape[1], x.shape[2], self.pads(), kext, self.stride())
        return self.pad_and_convolve(x, cw, pads, self.stride(), self.dilation(), bottoms)

    # -- int8 (ncnn's forward_int8: quantise, exact int32 sums, dequantise / requantise) ------------
    def per_output_weight_scales(self) -> np.ndarray:
        """The weight scale of each output channel (ConvolutionDepthWise stores one per group)."""
        return np.asarray(self.weights["weight_data_int8_scales"], np.float32)

    def create_int8_pipeline(self) -> None:
        self.int8 = None
        if self.dynamic_weight or self.weights["weight_data"].dtype != np.int8:
            return
        kh, kw = self.kernel()
        wq = self.weights["weight_data"].reshape(self.num_output, self.num_input // self.group, kh, kw)
        try:
            iw = prepare_int8_conv(wq, self.group, self.stride())
        except ValueError as e:
            raise self.param_error(f"int8 inference: {e}") from None
        s_in = self.weights["bottom_blob_int8_scales"].reshape(-1)[0]
        scale_in = dequant_scales(s_in, self.per_output_weight_scales(), self.int8_zero_guard()).reshape(-1, 1, 1)
        bias = self.bias_array()
        s_out = self.weights["top_blob_int8_scales"].reshape(-1)[0] if self.int8_scale_term > 100 else None
        self.int8 = (iw, np.float32(s_in), scale_in, None if bias is None else bias.reshape(-1, 1, 1), s_out,
                     self.int8_fused_dequant())

    def int8_zero_guard(self) -> bool:
        """Whether a zero weight scale gives a zero dequantisation scale (else 1/0 = inf, as ncnn's x86
        3x3 depthwise float-output kernels compute it)."""
        return True

    def int8_fused_dequant(self) -> bool:
        """Whether ncnn's x86 kernel for this layer rounds `acc * scale_in + bias` once (FMA)."""
        return True

    def forward_int8(self, bottoms: list[np.ndarray]) -> np.ndarray:
        """int8 input (from a requantising producer) is used as is; anything else is quantised with the
        bottom scale. Output: float32, or int8 when int8_scale_term > 100 (requantised)."""
        iw, s_in, scale_in, bias, s_out, fused = self.int8
        x = bottoms[0]
        if x.ndim < 3:
            x = x.reshape((1,) * (3 - x.ndim) + x.shape)
        if x.ndim != 3 or x.shape[0] != self.num_input:
            raise self.runtime_error(f"expects a (c={self.num_input}, h, w) input", bottoms)
        xq = x if x.dtype == np.int8 else quantize(x, s_in)
        kh, kw = self.kernel()
        kext = (self.dilation_h * (kh - 1) + 1, self.dilation_w * (kw - 1) + 1)
        pads = resolve_pads(x.shape[1], x.shape[2], self.pads(), kext, self.stride())
        hp, wp = x.shape[1] + pads[0] + pads[1], x.shape[2] + pads[2] + pads[3]
        if hp < kext[0] or wp < kext[1]:
            raise self.runtime_error(f"padded input {hp}x{wp} is smaller than the kernel extent "
                                     f"{kext[0]}x{kext[1]}", bottoms)
        pad_q = float(np.trunc(np.float32(self.pad_value)))  # the float pad value cast to signed char
        acc = int8_conv2d(pad_hw(xq, *pads, pad_q), iw, self.stride(), self.dilation())
        y = apply_activation(dequantize(acc, scale_in, bias, fused), self.activation_type, self.activation_params)
        return y if s_out is None else float2int8(y * s_out)
