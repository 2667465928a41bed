import numpy as np
import pytest

from engine.errors import EngineError, ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

E, QDIM, KDIM, VDIM, SRC, DST = 6, 5, 7, 4, 5, 3


def make(rng, e, qdim, kdim, vdim, storage="fp32"):
    """Weights in ncnn's order: weights tagged, biases raw."""
    ws, bw = {}, BinWriter()
    for name, shape in (("q", (e, qdim)), ("qb", (e,)), ("k", (e, kdim)), ("kb", (e,)),
                        ("v", (e, vdim)), ("vb", (e,)), ("o", (qdim, e)), ("ob", (qdim,))):
        w = (rng.standard_normal(shape) * 0.5).astype(np.float32)
        if name.endswith("b"):
            bw.raw(w)
        else:
            if storage == "fp16":
                w = w.astype(np.float16).astype(np.float32)
            bw.tagged(w, storage)
        ws[name] = w
    return bw, ws


def reference(ws, q, k, v, heads, scale, mask=None, k_cache=None, v_cache=None, cross_cache=False):
    """float64 multi-head attention. Returns (out, K, V) with K / V per head, (heads, dst, head_dim);
    caches come first, or replace K / V entirely for a cross-attention step (cross_cache)."""
    f = lambda a: a.astype(np.float64)  # noqa: E731
    Q = (f(q) @ f(ws["q"]).T + ws["qb"]) * scale
    e = Q.shape[1]
    d = e // heads
    per_head = lambda m: m.reshape(m.shape[0], heads, d).transpose(1, 0, 2)  # noqa: E731
    K = per_head(f(k) @ f(ws["k"]).T + ws["kb"])
    V = per_head(f(v) @ f(ws["v"]).T + ws["vb"])
    if k_cache is not None:
        K = f(k_cache) if cross_cache else np.concatenate([f(k_cache), K], axis=1)
        V = f(v_cache) if cross_cache else np.concatenate([f(v_cache), V], axis=1)
    out = np.zeros_like(Q)
    for hh in range(heads):
        logits = Q[:, hh * d:(hh + 1) * d] @ K[hh].T
        if mask is not None:
            logits = logits + (mask[hh] if mask.ndim == 3 else mask)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out[:, hh * d:(hh + 1) * d] = p @ V[hh]
    return out @ f(ws["o"]).T + ws["ob"], K, V


@pytest.mark.parametrize("heads", [1, 3])
@pytest.mark.parametrize("n_qkv", [1, 2, 3])
@pytest.mark.parametrize("mask", [None, "2d", "3d"])
def test_mha_matches_ncnn(tmp_path, n_qkv, heads, mask):
    rng = np.random.default_rng(n_qkv * 10 + heads)
    kdim = QDIM if n_qkv == 1 else KDIM  # k defaults to q, v to k
    vdim = {1: QDIM, 2: KDIM, 3: VDIM}[n_qkv]
    dst = SRC if n_qkv == 1 else DST
    bw, ws = make(rng, E, QDIM, kdim, vdim)
    q = rng.standard_normal((SRC, QDIM)).astype(np.float32)
    k = rng.standard_normal((dst, kdim)).astype(np.float32)
    v = rng.standard_normal((dst, vdim)).astype(np.float32)
    inputs = [q, k, v][:n_qkv]
    k, v = (inputs + [inputs[-1]] * 2)[1:3] if n_qkv > 1 else (q, q)
    params = {0: E, 1: heads, 2: E * QDIM, 3: kdim, 4: vdim}
    m = None
    if mask:
        params[5] = 1
        m = rng.standard_normal((heads, SRC, dst) if mask == "3d" else (SRC, dst)).astype(np.float32) * 2
        m[..., 0] = -1e4  # a masked-out key
        inputs.append(m)
    (y,) = check_layer(tmp_path, "MultiHeadAttention", params, inputs, weights=bw)
    want, _, _ = reference(ws, q, k, v, heads, 1 / np.sqrt(E // heads), m)
    assert y.shape == (SRC, QDIM) and y.dtype == np.float32
    np.testing.assert_allclose(y, want, atol=2e-5)


@pytest.mark.parametrize("scale", [None, 0.37])
def test_mha_scale_and_fp16_weights(tmp_path, scale):
    rng = np.random.default_rng(9)
    e, heads = 8, 4  # head dim 2: default scale 1/sqrt(2)
    bw, ws = make(rng, e, e, e, e, storage="fp16")
    x = rng.standard_normal((7, e)).astype(np.float32)
    params = {0: e, 1: heads, 2: e * e, **({6: scale} if scale is not None else {})}
    (y,) = check_layer(tmp_path, "MultiHeadAttention", params, [x], weights=bw)
    want, _, _ = reference(ws, x, x, x, heads, scale if scale is not None else 1 / np.sqrt(2))
    np.testing.assert_allclose(y, want, atol=2e-5)


def test_mha_default_scale_truncates_head_dim(tmp_path):
    # 7 heads of 1: scale 1/sqrt(1); kdim / vdim differ from embed_dim
    rng = np.random.default_rng(2)
    bw, ws = make(rng, 7, 3, 3, 3)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    (y,) = check_layer(tmp_path, "MultiHeadAttention", {0: 7, 1: 7, 2: 21, 3: 3, 4: 3}, [x], weights=bw)
    np.testing.assert_allclose(y, reference(ws, x, x, x, 7, 1.0)[0], atol=2e-5)


@pytest.mark.parametrize("mask", [False, True])
@pytest.mark.parametrize("n_qkv", [1, 2])
def test_mha_kv_cache(tmp_path, n_qkv, mask):
    # pip ncnn 1.0.20261020 keeps the caches as (num_heads, seq_len, head_dim)
    rng = np.random.default_rng(20 + n_qkv)
    heads, past, cur = 2, 4, 3
    d = E // heads
    bw, ws = make(rng, E, QDIM, QDIM, QDIM)
    q = rng.standard_normal((cur, QDIM)).astype(np.float32)
    kv = rng.standard_normal((5, QDIM)).astype(np.float32)
    k_cache = rng.standard_normal((heads, past, d)).astype(np.float32)
    v_cache = rng.standard_normal((heads, past, d)).astype(np.float32)
    inputs = [q] if n_qkv == 1 else [q, kv]
    dst = past + cur if n_qkv == 1 else past  # cross-attention reuses the cache as it is
    m = None
    if mask:
        m = rng.standard_normal((cur, dst)).astype(np.float32)
        inputs.append(m)
    inputs += [k_cache, v_cache]
    params = {0: E, 1: heads, 2: E * QDIM, 3: QDIM, 4: QDIM, 5: int(mask), 7: 1}
    y, kc, vc = check_layer(tmp_path, "MultiHeadAttention", params, inputs, weights=bw, n_outputs=3)
    assert kc.shape == vc.shape == (heads, dst, d)
    other = q if n_qkv == 1 else kv
    want, want_k, want_v = reference(ws, q, other, other, heads, 1 / np.sqrt(d), m, k_cache, v_cache,
                                     cross_cache=n_qkv == 2)
    np.testing.assert_allclose(kc, want_k, atol=2e-5)
    np.testing.assert_allclose(vc, want_v, atol=2e-5)
    np.testing.assert_allclose(y, want, atol=2e-5)


def _model(tmp_path, params, n_inputs=1, weights=None):
    return one_layer_model(tmp_path, "MultiHeadAttention", params, n_inputs, 1, weights)


@pytest.mark.parametrize("params, why", [
    ({0: E, 1: 1, 2: E * QDIM, 18: 2}, "int8"),
    ({0: E, 1: 4, 2: E * QDIM}, "multiple"),
    ({0: E, 1: 1, 2: 3}, "weight_data_size"),
])
def test_mha_refuses_params(tmp_path, params, why):
    param, binf = _model(tmp_path, params)
    with pytest.raises(ModelFormatError, match=why):
        run_layerscope(param, binf, {"in0": np.zeros((SRC, QDIM), np.float32)}, ["out0"])


@pytest.mark.parametrize("feeds, why", [
    ({"in0": np.zeros((SRC, QDIM + 1), np.float32), "in1": np.zeros((SRC, SRC), np.float32)}, "q must"),
    ({"in0": np.zeros((QDIM,), np.float32), "in1": np.zeros((1, 1), np.float32)}, "q must"),
    ({"in0": np.zeros((SRC, QDIM), np.float32), "in1": np.zeros((SRC, SRC + 1), np.float32)}, "attn_mask"),
    ({"in0": np.zeros((SRC, QDIM), np.float32), "in1": np.zeros((2, SRC, SRC), np.float32)}, "attn_mask"),
])
def test_mha_rejects_bad_inputs(tmp_path, feeds, why):
    bw, _ = make(np.random.default_rng(0), E, QDIM, QDIM, QDIM)
    param, binf = _model(tmp_path, {0: E, 1: 3, 2: E * QDIM, 3: QDIM, 4: QDIM, 5: 1}, 2, bw)
    with pytest.raises(EngineError, match=why):
        run_layerscope(param, binf, feeds, ["out0"])


def test_mha_kv_cache_first_step_and_old_layout(tmp_path):
    # an empty cache (first decoding step) is no past; the older (embed_dim, past) layout is refused
    rng = np.random.default_rng(30)
    heads, d = 2, E // 2
    bw, ws = make(rng, E, QDIM, QDIM, QDIM)
    q = rng.standard_normal((3, QDIM)).astype(np.float32)
    param, binf = one_layer_model(tmp_path, "MultiHeadAttention", {0: E, 1: heads, 2: E * QDIM, 3: QDIM, 4: QDIM,
                                                                   7: 1}, 3, 3, bw)
    empty = np.zeros((heads, 0, d), np.float32)
    got = run_layerscope(param, binf, {"in0": q, "in1": empty, "in2": empty}, ["out0", "out1", "out2"])
    want, want_k, want_v = reference(ws, q, q, q, heads, 1 / np.sqrt(d))
    np.testing.assert_allclose(got["out0"], want, atol=2e-5)
    np.testing.assert_allclose(got["out1"], want_k, atol=2e-5)
    old = np.zeros((E, 4), np.float32)
    with pytest.raises(EngineError, match="cache must be 3-D"):
        run_layerscope(param, binf, {"in0": q, "in1": old, "in2": old}, ["out0"])


@pytest.mark.parametrize("mask", [False, True])
def test_mha_packed_sizes(tmp_path, mask):
    # multiples of 4 / 8 take ncnn's packed x86 paths
    rng = np.random.default_rng(40)
    e, heads, src, dst, kdim = 16, 4, 8, 16, 8
    bw, ws = make(rng, e, e, kdim, kdim)
    q = rng.standard_normal((src, e)).astype(np.float32)
    kv = rng.standard_normal((dst, kdim)).astype(np.float32)
    inputs = [q, kv]
    m = None
    if mask:
        m = np.triu(np.full((src, dst), -1e9, np.float32), 1)  # causal-style mask
        inputs.append(m)
    params = {0: e, 1: heads, 2: e * e, 3: kdim, 4: kdim, 5: int(mask)}
    (y,) = check_layer(tmp_path, "MultiHeadAttention", params, inputs, weights=bw)
    np.testing.assert_allclose(y, reference(ws, q, kv, kv, heads, 0.5, m)[0], atol=2e-5)
