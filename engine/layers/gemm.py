"""Gemm: `Y = alpha * (op(A) · op(B) + beta * C)`; note alpha scales the C term too (ONNX does not).

Any of A, B, C may be a constant stored in the .bin (4=constantA 5=constantB 6=constantC, with
7/8/9 = constant M/N/K); the inputs are the non-constant operands in the order A, B, C, C optional.
A constant C's shape is `10=constant_broadcast_type_C`: 0 scalar `[1]`, 1 per row `[M]`, 2 per row
`(M, 1)`, 3 full `(M, N)`, 4 per column `(1, N)`, -1 none. An input C is matched like ncnn does, a later
rule winning: 1-D of 1 scalar, of M per row, of N per column; 2-D `(M, 1)`, `(M, N)`, `(1, N)`; any
other C is read as the scalar C[0], as ncnn reads it.

Input matrices are `(rows, cols)`: a 2-D blob, a 1-D blob as one row, or ncnn's "N1M" 3-D layout
`(rows, 1, cols)`. The output is `(M, N)`, `(N, M)` with 14=output_transpose, and 3-D `(rows, 1, cols)`
with 11=output_N1M. 12=output_elempack and 13=output_elemtype are layout / storage hints with no effect
on fp32 values. 18=int8_scale_term (ncnn's quantize_term): int8 constants run in fp32 only without int8
inference (dequantised by their scales); the int8 arithmetic and 4xx+ weight-block quantisation are
not implemented.
"""
from __future__ import annotations

import numpy as np

from ..errors import UnsupportedLayerError
from ..formats.ncnn_bin import WeightReader
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


def _is_block_quant(term: int) -> bool:
    """ncnn's valid weight-only block quantisation codes: bits*100 + input_scale*10 + block code."""
    return term // 100 in (4, 6, 8) and term % 100 // 10 in (0, 1) and 0 <= term % 10 <= 2


class Gemm(Layer):
    type_name = "Gemm"
    one_blob_only = False
    alpha = Param(0, FLOAT, 1.0)
    beta = Param(1, FLOAT, 1.0)
    transA = Param(2, INT, 0)
    transB = Param(3, INT, 0)
    constantA = Param(4, INT, 0)
    constantB = Param(5, INT, 0)
    constantC = Param(6, INT, 0)
    constantM = Param(7, INT, 0)
    constantN = Param(8, INT, 0)
    constantK = Param(9, INT, 0)
    constant_broadcast_type_C = Param(10, INT, 0)
    output_N1M = Param(11, INT, 0)
    output_elempack = Param(12, INT, 0)
    output_elemtype = Param(13, INT, 0)
    output_transpose = Param(14, INT, 0)
    int8_scale_term = Param(18, INT, 0)
    constant_TILE_M = Param(20, INT, 0)
    constant_TILE_N = Param(21, INT, 0)
    constant_TILE_K = Param(22, INT, 0)

    # -- params ---------------------------------------------------------------------------
    def check_params(self) -> None:
        term = self.int8_scale_term
        if term in (4, 5, 6) or (term >= 400 and not _is_block_quant(term)):
            raise self.param_error(f"unsupported quantize_term (18) {term}")
        if term >= 400:
            raise self.param_error(f"weight-only block quantisation (18={term}) is not supported yet")
        if self.constantA and (self.constantM <= 0 or self.constantK <= 0):
            raise self.param_error("constantA needs positive constantM (7) and constantK (9)")
        if self.constantB and (self.constantN <= 0 or self.constantK <= 0):
            raise self.param_error("constantB needs positive constantN (8) and constantK (9)")
        if self.constantC and not -1 <= self.constant_broadcast_type_C <= 4:
            raise self.param_error(f"constant_broadcast_type_C (10) {self.constant_broadcast_type_C} must be "
                                   f"-1 or 0..4 when constantC is set")
        if self.constantC and self.constant_broadcast_type_C in (1, 2, 3) and self.constantM <= 0:
            raise self.param_error("a constant C with rows needs a positive constantM (7)")
        if self.constantC and self.constant_broadcast_type_C in (3, 4) and self.constantN <= 0:
            raise self.param_error("a constant C with columns needs a positive constantN (8)")

    @property
    def n_matrix_inputs(self) -> int:
        return (not self.constantA) + (not self.constantB)

    # -- weights --------------------------------------------------------------------------
    def load_model(self, reader: WeightReader) -> None:
        m, n, k = self.constantM, self.constantN, self.constantK
        if self.constantA:
            self.load_weight(reader, "A_data", m * k, tagged=True, shape=(k, m) if self.transA else (m, k))
        if self.constantB:
            self.load_weight(reader, "B_data", n * k, tagged=True, shape=(n, k) if self.transB else (k, n))
        if self.constantC and self.constant_broadcast_type_C != -1:
            shape = {0: (1,), 1: (m,), 2: (m, 1), 3: (m, n), 4: (1, n)}[self.constant_broadcast_type_C]
            self.load_weight(reader, "C_data", int(np.prod(shape)), tagged=True, shape=shape)
        if self.int8_scale_term:
            if self.constantA:
                self.load_weight(reader, "A_data_int8_scales", m, tagged=False)
            if self.constantB:
                self.load_weight(reader, "B_data_int8_scale", 1, tagged=False)
        for what in ("A_data", "B_data", "C_data"):
            if what in self.weights and self.weights[what].dtype == np.int8 and (
                    what == "C_data" or not self.int8_scale_term):
                raise self.param_error(f"{what} is stored as int8 but there are no int8 scales for it")

    def create_pipeline(self, opt: Option) -> None:
        self.a_const = self.b_const = self.c_const = None
        if self.constantA:
            a = self.weights["A_data"]
            if a.dtype == np.int8:
                a = self._dequantize(a, self.weights["A_data_int8_scales"].reshape(-1, 1) if not self.transA
                                     else self.weights["A_data_int8_scales"].reshape(1, -1))
            self.a_const = a.T if self.transA else a  # (M, K), a view: BLAS takes the transposed form as is
        if self.constantB:
            b = self.weights["B_data"]
            if b.dtype == np.int8:
                b = self._dequantize(b, self.weights["B_data_int8_scale"].reshape(1, 1))
            self.b_const = b.T if self.transB else b  # (K, N)
        if self.constantC and self.constant_broadcast_type_C != -1:
            c = self.weights["C_data"]
            if self.constant_broadcast_type_C == 1:
                c = c.reshape(-1, 1)
            self.c_const = c * np.float32(self.beta)  # ncnn pre-multiplies a constant C by beta

    @staticmethod
    def _dequantize(w: np.ndarray, scales: np.ndarray) -> np.ndarray:
        inv = np.divide(1, scales, out=np.zeros_like(scales), where=scales != 0)
        return (w.astype(np.float32) * inv).astype(np.float32)

    # -- running --------------------------------------------------------------------------
    def _matrix(self, x: np.ndarray, what: str, bottoms: list[np.ndarray]) -> np.ndarray:
        """An input blob as a (rows, cols) float32 matrix view."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            return x.reshape(1, -1)
        if x.ndim == 2:
            return x
        if x.ndim == 3 and x.shape[1] == 1:
            return x.reshape(x.shape[0], x.shape[2])
        raise self.runtime_error(f"{what} must be 1-D, 2-D or 3-D (rows, 1, cols)", bottoms)

    def _input_c(self, c: np.ndarray, m: int, n: int) -> np.ndarray:
        """An input C shaped to broadcast against (M, N), by ncnn's matching rules (later rules win)."""
        c = np.asarray(c, dtype=np.float32)
        shaped = c.reshape(-1)[:1].reshape(1, 1)  # unmatched: ncnn reads C[0] as a scalar
        if c.ndim == 1 and c.size == m:
            shaped = c.reshape(m, 1)
        if c.ndim == 1 and c.size == n:
            shaped = c.reshape(1, n)
        if c.ndim == 2 and c.shape in ((m, 1), (m, n), (1, n)):
            shaped = c
        return shaped

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        n_in = self.n_matrix_inputs
        allowed = (n_in,) if self.constantC else (n_in, n_in + 1)
        if len(bottoms) not in allowed:
            raise self.runtime_error(f"expects {' or '.join(map(str, allowed))} input blobs, got {len(bottoms)}",
                                     bottoms)
        if opt.use_int8_inference and any(self.weights[w].dtype == np.int8 for w in ("A_data", "B_data")
                                          if w in self.weights):
            raise UnsupportedLayerError(f"layer '{self.name}': Gemm int8 inference (quantize_term "
                                        f"{self.int8_scale_term}) is not implemented yet")
        rest = list(bottoms)
        if self.constantA:
            a = self.a_const
        else:
            a = self._matrix(rest.pop(0), "A", bottoms)
            a = a.T if self.transA else a
        if self.constantB:
            b = self.b_const
        else:
            b = self._matrix(rest.pop(0), "B", bottoms)
            b = b.T if self.transB else b
        if a.shape[1] != b.shape[0]:
            raise self.runtime_error(f"inner sizes differ: op(A) is {a.shape[0]}x{a.shape[1]}, op(B) is "
                                     f"{b.shape[0]}x{b.shape[1]}", bottoms)
        y = np.dot(a, b)
        if y.dtype != np.float32:
            y = y.astype(np.float32)
        if self.c_const is not None:
            c = self.c_const
            rows, cols = c.shape if c.ndim == 2 else (1, 1)
            if rows not in (1, y.shape[0]) or cols not in (1, y.shape[1]):
                raise self.runtime_error(f"constant C {c.shape} does not fit the {y.shape[0]}x{y.shape[1]} "
                                         f"product", bottoms)
            y += c
        elif rest and np.asarray(rest[0]).size:  # an empty C is no C
            c = self._input_c(rest[0], y.shape[0], y.shape[1])
            y += c * np.float32(self.beta) if self.beta != 1 else c
        if self.alpha != 1:
            y *= np.float32(self.alpha)
        if self.output_transpose:
            y = np.ascontiguousarray(y.T)
        if self.output_N1M:
            y = y.reshape(y.shape[0], 1, y.shape[1])
        return [y]
