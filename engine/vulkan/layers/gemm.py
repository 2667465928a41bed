"""Gemm and MatMul on the GPU (shaders/gemm.comp). Gemm: constant or input A/B/C, transposes, C
broadcasting by ncnn's rules (decided by the numpy layer's own helper on a stand-in of C's shape),
output_transpose, N1M. MatMul: numpy's matmul with up to two broadcast batch axes, transB."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.gemm import Gemm
from ...layers.matmul import MatMul
from ..context import Kernel
from .base import F32, Info, VkLayer, groups_3d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

GEMM = Kernel("gemm", 4, "iiiiiiiiiiiiffiiiiii")


def _matrix_shape(shape: tuple[int, ...]) -> tuple[int, int] | None:
    if len(shape) == 1:
        return 1, shape[0]
    if len(shape) == 2:
        return shape  # type: ignore[return-value]
    if len(shape) == 3 and shape[1] == 1:
        return shape[0], shape[2]
    return None


class VkGemm(VkLayer, Gemm):
    type_name = "Gemm"

    def vk_plan(self, shapes: list[tuple[int, ...]]):  # type: ignore[no-untyped-def]
        """((M, K, a strides), (N, b strides), C plan or None) or None when the numpy layer must run."""
        rest = list(shapes)
        if self.constantA:
            m, k = self.a_const.shape
            a = (m, k, k, 1)
        else:
            s = _matrix_shape(rest.pop(0))
            if s is None:
                return None
            r, cols = s
            a = (cols, r, 1, cols) if self.transA else (r, cols, cols, 1)  # (M, K, stride_i, stride_k)
        if self.constantB:
            kb, n = self.b_const.shape
            b = (kb, n, n, 1)
        else:
            s = _matrix_shape(rest.pop(0))
            if s is None:
                return None
            r, cols = s
            b = (cols, r, 1, cols) if self.transB else (r, cols, cols, 1)  # (K, N, stride_k, stride_j)
        m, n = a[0], b[1]
        if a[1] != b[0]:
            return None
        c = None
        if self.c_const is not None:
            cs = self.c_const.shape
            rows, cols = cs if len(cs) == 2 else (1, 1)
            if rows not in (1, m) or cols not in (1, n):
                return None
            c = ("const", cols if rows > 1 else 0, 1 if cols > 1 else 0, 1.0)
        elif rest and int(np.prod(rest[0])) > 0:
            shaped = self._input_c(np.zeros(rest[0], np.float32), m, n).shape
            c = ("input", shaped[1] if shaped[0] > 1 else 0, 1 if shaped[1] > 1 else 0, float(np.float32(self.beta)))
        return m, n, a, b, c

    def vk_supports(self, inputs: list[Info]) -> bool:
        if any(dt != F32 for _, dt in inputs):
            return False
        n_in = self.n_matrix_inputs
        if len(inputs) not in ((n_in,) if self.constantC else (n_in, n_in + 1)):
            return False
        if any(w in self.weights and self.weights[w].dtype != np.float32 for w in ("A_data", "B_data", "C_data")):
            return False
        return self.vk_plan([s for s, _ in inputs]) is not None

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        m, n, a, b, c = self.vk_plan([t.shape for t in inputs])
        rest = list(inputs)
        ga = rt.const(self, "A", np.ascontiguousarray(self.a_const)) if self.constantA else rest.pop(0)
        gb = rt.const(self, "B", np.ascontiguousarray(self.b_const)) if self.constantB else rest.pop(0)
        if c is None:
            gc, c = ga, ("none", 0, 0, 1.0)
        elif c[0] == "const":
            gc = rt.const(self, "C", np.ascontiguousarray(self.c_const))
        else:
            gc = rest.pop(0)
        y_si, y_sj = (1, m) if self.output_transpose else (n, 1)
        rows, cols = (n, m) if self.output_transpose else (m, n)
        y = rt.new_tensor((rows, 1, cols) if self.output_N1M else (rows, cols))
        push = [m, n, a[1], a[2], a[3], b[2], b[3], c[1], c[2], y_si, y_sj, int(c[0] != "none"), c[3],
                float(np.float32(self.alpha)), 0, 0, 0, 0, 0, 1]
        rt.dispatch(GEMM, [ga, gb, gc, y], push, groups_3d(n, m, 1))
        return [y]


def _batch_strides(batch: tuple[int, ...], out_batch: tuple[int, int], matrix: int) -> tuple[int, int]:
    """Element strides of an operand's two (right-aligned) batch axes; 0 where it broadcasts."""
    dims = (1,) * (2 - len(batch)) + tuple(batch)
    strides, acc = [0, 0], matrix
    for axis in (1, 0):
        strides[axis] = acc if dims[axis] == out_batch[axis] and dims[axis] != 1 else 0
        acc *= dims[axis]
    return strides[0], strides[1]


class VkMatMul(VkLayer, MatMul):
    type_name = "MatMul"

    def vk_plan(self, sa: tuple[int, ...], sb: tuple[int, ...]):  # type: ignore[no-untyped-def]
        """(push without the batch count, output shape, batches) or None where the numpy layer must run."""
        if not (1 <= len(sa) <= 4 and 1 <= len(sb) <= 4):
            return None
        trans = bool(self.transB) and len(sb) >= 2
        m = 1 if len(sa) == 1 else sa[-2]
        k = sa[-1]
        if len(sb) == 1:
            kb, n = sb[0], 1
        else:
            kb, n = (sb[-1], sb[-2]) if trans else (sb[-2], sb[-1])
        if k != kb:
            return None
        ba, bb = tuple(sa[:-2]), tuple(sb[:-2])
        if len(sa) >= 2 and len(sb) >= 2:
            try:
                out_batch = tuple(int(v) for v in np.broadcast_shapes(ba, bb))
            except ValueError:
                return None
        else:
            out_batch = bb if len(sa) == 1 else ba
        nb = (1,) * (2 - len(out_batch)) + out_batch
        a_sb = _batch_strides(ba, nb, m * k) if len(sa) >= 2 else (0, 0)
        b_sb = _batch_strides(bb, nb, k * n) if len(sb) >= 2 else (0, 0)
        b_sk, b_sj = ((1, k) if trans else (n, 1)) if len(sb) >= 2 else (1, 0)
        if len(sa) == 1 and len(sb) == 1:
            shape: tuple[int, ...] = (1,)
        elif len(sa) == 1:
            shape = out_batch + (n,)
        elif len(sb) == 1:
            shape = out_batch + (m,)
        else:
            shape = out_batch + (m, n)
        push = [m, n, k, k, 1, b_sk, b_sj, 0, 0, n, 1, 0, 1.0, 1.0, a_sb[0], a_sb[1], b_sb[0], b_sb[1], m * n]
        return push, shape, nb

    def vk_supports(self, inputs: list[Info]) -> bool:
        return len(inputs) == 2 and all(dt == F32 for _, dt in inputs) and \
            self.vk_plan(inputs[0][0], inputs[1][0]) is not None

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        a, b = inputs
        push, shape, nb = self.vk_plan(a.shape, b.shape)
        y = rt.new_tensor(shape)
        rt.dispatch(GEMM, [a, b, a, y], push + [nb[1]], groups_3d(push[1], push[0], nb[0] * nb[1]))
        return [y]
