"""Gemm against ncnn: transA/transB, alpha/beta, every C broadcast (input and constant), constant A/B/C
(fp32 and fp16), 1-D and N1M inputs, output_transpose / output_N1M / output_elempack."""
import numpy as np
import pytest

from engine import Net, Option
from engine.errors import LayerRuntimeError, ModelFormatError, UnsupportedLayerError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

M, N, K = 5, 3, 7
C_SHAPES = [None, (1,), (M,), (N,), (M, 1), (M, N), (1, N)]


def rnd(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


def reference(a, b, c, alpha, beta):
    """alpha * (a @ b + beta * c) in float64; c already broadcastable to (M, N)."""
    y = a.astype(np.float64) @ b.astype(np.float64)
    if c is not None:
        y = y + beta * c.astype(np.float64)
    return alpha * y


def as_broadcast(c, m, n):
    if c is None:
        return None
    if c.ndim == 1 and c.size == n:
        return c.reshape(1, n)
    if c.ndim == 1 and c.size == m:
        return c.reshape(m, 1)
    return c


@pytest.mark.parametrize("trans_a", [0, 1])
@pytest.mark.parametrize("trans_b", [0, 1])
@pytest.mark.parametrize("c_shape", C_SHAPES)
def test_gemm_inputs(tmp_path, trans_a, trans_b, c_shape):
    rng = np.random.default_rng(trans_a * 2 + trans_b)
    a, b = rnd(rng, (M, K)), rnd(rng, (K, N))
    c = None if c_shape is None else rnd(rng, c_shape)
    inputs = [np.ascontiguousarray(a.T) if trans_a else a, np.ascontiguousarray(b.T) if trans_b else b]
    inputs += [] if c is None else [c]
    params = {0: 0.75, 1: -1.5, 2: trans_a, 3: trans_b}
    (y,) = check_layer(tmp_path, "Gemm", params, inputs)
    np.testing.assert_allclose(y, reference(a, b, as_broadcast(c, M, N), 0.75, -1.5), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("c_shape", [(4,), (4, 1), (1, 4), (4, 4)])
def test_gemm_square_c_vector_is_per_column(tmp_path, c_shape):
    """With M == N a 1-D C of that length is read per column (ncnn's later rule wins)."""
    rng = np.random.default_rng(5)
    a, b, c = rnd(rng, (4, 6)), rnd(rng, (6, 4)), rnd(rng, c_shape)
    (y,) = check_layer(tmp_path, "Gemm", {}, [a, b, c])
    np.testing.assert_allclose(y, reference(a, b, as_broadcast(c, 4, 4), 1, 1), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("c_shape", [(2,), (2, 2), (1, 1), (N, M), (M, 1, N)])
def test_gemm_unmatched_c_is_its_first_value(tmp_path, c_shape):
    rng = np.random.default_rng(11)
    a, b, c = rnd(rng, (M, K)), rnd(rng, (K, N)), rnd(rng, c_shape)
    (y,) = check_layer(tmp_path, "Gemm", {1: 2.0}, [a, b, c])
    np.testing.assert_allclose(y, reference(a, b, c.reshape(-1)[:1], 1, 2.0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("a_shape,b_shape", [((K,), (K, N)), ((M, 1, K), (K, N)), ((M, K), (K, 1, N)),
                                             ((M, 1, K), (K, 1, N)), ((1, K), (K, N))])
def test_gemm_vector_and_n1m_inputs(tmp_path, a_shape, b_shape):
    rng = np.random.default_rng(6)
    a, b = rnd(rng, a_shape), rnd(rng, b_shape)
    (y,) = check_layer(tmp_path, "Gemm", {}, [a, b])
    np.testing.assert_allclose(y, a.reshape(-1, K) @ b.reshape(K, -1), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("transpose", [0, 1])
@pytest.mark.parametrize("n1m", [0, 1])
@pytest.mark.parametrize("elempack", [0, 1, 4])
def test_gemm_output_layouts(tmp_path, transpose, n1m, elempack):
    rng = np.random.default_rng(7)
    a, b, c = rnd(rng, (8, K)), rnd(rng, (K, 12)), rnd(rng, (12,))
    params = {11: n1m, 12: elempack, 13: 1, 14: transpose}
    (y,) = check_layer(tmp_path, "Gemm", params, [a, b, c])
    want = reference(a, b, c.reshape(1, 12), 1, 1)
    want = want.T if transpose else want
    np.testing.assert_allclose(y, want.reshape(want.shape[0], 1, -1) if n1m else want, rtol=1e-5, atol=1e-5)


def constant_model(rng, const_a, const_b, const_c, c_type, trans_a, trans_b, storage="fp32"):
    bw, data = BinWriter(), {}
    if const_a:
        data["a"] = rnd(rng, (K, M) if trans_a else (M, K))
        if storage == "fp16":
            data["a"] = data["a"].astype(np.float16).astype(np.float32)
        bw.tagged(data["a"], storage)
    if const_b:
        data["b"] = rnd(rng, (N, K) if trans_b else (K, N))
        if storage == "fp16":
            data["b"] = data["b"].astype(np.float16).astype(np.float32)
        bw.tagged(data["b"], storage)
    if const_c and c_type != -1:
        data["c"] = rnd(rng, {0: (1,), 1: (M,), 2: (M, 1), 3: (M, N), 4: (1, N)}[c_type])
        bw.tagged(data["c"])
    return bw, data


@pytest.mark.parametrize("const_a,const_b", [(1, 0), (0, 1), (1, 1)])
@pytest.mark.parametrize("c_type", [None, -1, 0, 1, 2, 3, 4])
@pytest.mark.parametrize("trans", [(0, 0), (1, 1)])
def test_gemm_constants(tmp_path, const_a, const_b, c_type, trans):
    trans_a, trans_b = trans
    rng = np.random.default_rng(const_a * 100 + const_b * 10 + (c_type or 0) + 3)
    bw, data = constant_model(rng, const_a, const_b, c_type is not None, c_type, trans_a, trans_b)
    a = data["a"] if const_a else rnd(rng, (K, M) if trans_a else (M, K))
    b = data["b"] if const_b else rnd(rng, (N, K) if trans_b else (K, N))
    inputs = ([] if const_a else [a]) + ([] if const_b else [b])
    c = data.get("c")
    if c_type is None:  # C given as an input blob (needs at least one input so ncnn has a blob)
        c = rnd(rng, (M, N))
        inputs.append(c)
    params = {0: 1.25, 1: 0.5, 2: trans_a, 3: trans_b, 4: const_a, 5: const_b, 6: int(c_type is not None),
              7: M, 8: N, 9: K, **({10: c_type} if c_type is not None else {})}
    (y,) = check_layer(tmp_path, "Gemm", params, inputs, weights=bw)
    c_full = None if c is None else (c.reshape(M, 1) if c.shape == (M,) else c)
    want = reference(a.T if trans_a else a, b.T if trans_b else b, c_full, 1.25, 0.5)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("const_a,const_b", [(1, 0), (0, 1)])
def test_gemm_fp16_constants(tmp_path, const_a, const_b):
    rng = np.random.default_rng(8)
    bw, data = constant_model(rng, const_a, const_b, 1, 3, 0, 1, "fp16")
    x = rnd(rng, (N, K) if const_a else (M, K))
    params = {3: 1, 4: const_a, 5: const_b, 6: 1, 7: M, 8: N, 9: K, 10: 3}
    check_layer(tmp_path, "Gemm", params, [x], weights=bw)


def test_gemm_large(tmp_path):
    rng = np.random.default_rng(9)
    b = rnd(rng, (512, 384))
    bw = BinWriter().tagged(b).tagged(rnd(rng, (1, 512)))
    params = {3: 1, 5: 1, 6: 1, 8: 512, 9: 384, 10: 4}
    check_layer(tmp_path, "Gemm", params, [rnd(rng, (77, 384))], weights=bw)


@pytest.mark.parametrize("params", [{18: 4}, {18: 401, 4: 0, 5: 1, 8: 3, 9: 4}, {18: 999}, {4: 1, 7: 3},
                                    {5: 1, 9: 3}, {6: 1, 10: 5}])
def test_gemm_bad_params_refused(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Gemm", params, 2, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


@pytest.mark.parametrize("a_shape,b_shape,n_extra", [((M, K), (K + 1, N), 0), ((M, 2, K), (K, N), 0),
                                                     ((M, K), (K, N), 2)])
def test_gemm_runtime_refusals(tmp_path, a_shape, b_shape, n_extra):
    n = 2 + n_extra
    param, binf = one_layer_model(tmp_path, "Gemm", {}, n, 1)
    feeds = {"in0": np.zeros(a_shape, np.float32), "in1": np.zeros(b_shape, np.float32)}
    feeds.update({f"in{2 + i}": np.zeros((1,), np.float32) for i in range(n_extra)})
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, feeds, ["out0"])


def test_gemm_int8_constant_b(tmp_path):
    """quantize_term 2 with an int8 B (as ncnn2int8 writes it): refused under int8 inference, dequantised
    (B_q / scale) without it; the scale chunk is consumed."""
    rng = np.random.default_rng(10)
    b = rnd(rng, (N, K))
    scale = np.float32(127 / np.abs(b).max())
    bq = np.clip(np.round(b * scale), -127, 127).astype(np.int8)
    bw = BinWriter().tagged(bq, "int8").raw(np.array([scale], np.float32))
    param, binf = one_layer_model(tmp_path, "Gemm", {3: 1, 5: 1, 8: N, 9: K, 18: 2}, 1, 1, bw)
    x = rnd(rng, (M, K))
    with pytest.raises(UnsupportedLayerError, match="int8"):
        run_layerscope(param, binf, {"in0": x}, ["out0"])
    net = Net()
    net.opt = Option(use_int8_inference=False, num_threads=1)
    net.load_param(param)
    net.load_model(binf)
    ex = net.create_extractor()
    ex.input("in0", x)
    np.testing.assert_allclose(ex.extract("out0"), x @ (bq.astype(np.float32) / scale).T, rtol=1e-5, atol=1e-5)
