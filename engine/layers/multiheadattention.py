"""MultiHeadAttention: PyTorch's nn.MultiheadAttention (batch 1) as ncnn runs it.

Q = (x_q Wq^T + bq) * scale, K = x_k Wk^T + bk, V = x_v Wv^T + bv; per head softmax(Q K^T + mask) V;
heads concatenated, then out = O Wout^T + bout, shape `(src_len, qdim)` with qdim = weight_data_size /
embed_dim. Bottoms: q, [k (default q), [v (default k)]], then the mask if 5=attn_mask (2-D
`(src_len, dst_len)` for every head, or 3-D `(num_heads, src_len, dst_len)`), then the cached K and V
if 7=kv_cache, which also adds the new K and V caches as tops 2 and 3. The caches are
`(num_heads, seq_len, head_dim)` as pip ncnn 1.0.20261020 has them (older ncnn used a transposed
`(embed_dim, seq_len)` cache). In self-attention the new K/V rows are appended to the cache; in
cross-attention a non-empty cache is used as it is and the k / v blobs are not projected.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option

F32 = np.float32


class MultiHeadAttention(Layer):
    type_name = "MultiHeadAttention"
    one_blob_only = False

    embed_dim = Param(0, INT, 0)
    num_heads = Param(1, INT, 1)
    weight_data_size = Param(2, INT, 0)
    kdim = Param(3, INT, same_as="embed_dim")
    vdim = Param(4, INT, same_as="embed_dim")
    attn_mask = Param(5, INT, 0)
    scale = Param(6, FLOAT, 0.0)  # default 1/sqrt(embed_dim / num_heads), set in check_params
    kv_cache = Param(7, INT, 0)
    int8_scale_term = Param(18, INT, 0)  # ncnn's quantize_term

    def check_params(self) -> None:
        if self.embed_dim <= 0 or self.num_heads <= 0:
            raise self.param_error(f"embed_dim (0) {self.embed_dim} and num_heads (1) {self.num_heads} must be > 0")
        if self.embed_dim % self.num_heads:
            raise self.param_error(f"embed_dim (0) {self.embed_dim} is not a multiple of num_heads (1) "
                                   f"{self.num_heads}")
        if self.int8_scale_term:
            raise self.param_error(f"int8 / weight-quantized inference (18={self.int8_scale_term}) is not "
                                   "supported: only fp32 / fp16 weights are")
        if self.kdim <= 0 or self.vdim <= 0:
            raise self.param_error(f"kdim (3) {self.kdim} and vdim (4) {self.vdim} must be > 0")
        if self.qdim <= 0:
            raise self.param_error(f"weight_data_size (2) {self.weight_data_size} is smaller than embed_dim "
                                   f"{self.embed_dim}")
        if 6 not in self.spec.params:
            # ncnn: 1.f / sqrtf(embed_dim / num_heads), an integer division
            self.scale = float(F32(1) / np.sqrt(F32(self.embed_dim // self.num_heads)))

    @property
    def qdim(self) -> int:
        return self.weight_data_size // self.embed_dim  # truncated as in ncnn

    def load_model(self, reader: WeightReader) -> None:
        e, q = self.embed_dim, self.qdim
        for name, shape, tagged in (("q_weight_data", (e, q), True), ("q_bias_data", (e,), False),
                                    ("k_weight_data", (e, self.kdim), True), ("k_bias_data", (e,), False),
                                    ("v_weight_data", (e, self.vdim), True), ("v_bias_data", (e,), False),
                                    ("out_weight_data", (q, e), True), ("out_bias_data", (q,), False)):
            w = self.load_weight(reader, name, int(np.prod(shape)), tagged=tagged, shape=shape)
            if w.dtype != np.float32:
                raise self.param_error(f"'{name}' is stored as int8 but int8_scale_term (18) is 0")

    def create_pipeline(self, opt: Option) -> None:
        w = self.weights
        # x @ W^T with W^T contiguous; the q scale is applied after the bias, as ncnn does
        self._wqT = np.ascontiguousarray(w["q_weight_data"].T)
        self._wkT = np.ascontiguousarray(w["k_weight_data"].T)
        self._wvT = np.ascontiguousarray(w["v_weight_data"].T)
        self._woT = np.ascontiguousarray(w["out_weight_data"].T)

    def _extra_bottoms(self) -> int:
        # ncnn tests both flags for truth only
        return (1 if self.attn_mask else 0) + (2 if self.kv_cache else 0)

    def _bottom_indices(self, n: int) -> tuple[int, int, int] | None:
        """(q, k, v) indices; ncnn takes 1, 2 or 3 of them ahead of the mask and cache blobs."""
        n_qkv = n - self._extra_bottoms()
        return {1: (0, 0, 0), 2: (0, 1, 1), 3: (0, 1, 2)}.get(n_qkv)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        idx = self._bottom_indices(len(bottoms))
        extra = self._extra_bottoms()
        if idx is None:
            raise self.runtime_error(f"expects {1 + extra} to {3 + extra} input blobs (q [k [v]]"
                                     + (" mask" if self.attn_mask else "") + (" k_cache v_cache" if self.kv_cache
                                                                               else "") + f"), got {len(bottoms)}",
                                     bottoms)
        n_tops = 3 if self.kv_cache else 1
        if len(self.spec.tops) != n_tops:
            raise self.runtime_error(f"has {len(self.spec.tops)} tops; it makes {n_tops}")
        qi, ki, vi = idx
        q_blob, k_blob, v_blob = bottoms[qi], bottoms[ki], bottoms[vi]
        for name, blob, width in (("q", q_blob, self.qdim), ("k", k_blob, self.kdim), ("v", v_blob, self.vdim)):
            if blob.ndim != 2 or blob.shape[1] != width:
                raise self.runtime_error(f"{name} must be 2-D (seq_len, {width})", bottoms)
        if k_blob.shape[0] != v_blob.shape[0]:
            raise self.runtime_error("k and v must have the same seq_len", bottoms)
        e = self.embed_dim
        src = q_blob.shape[0]

        q = q_blob @ self._wqT  # (src, E)
        q += self.weights["q_bias_data"]
        q *= F32(self.scale)

        h, d = self.num_heads, e // self.num_heads
        past = 0
        k_cache = v_cache = None
        if self.kv_cache:
            base = max(qi, ki, vi) + (2 if self.attn_mask else 1)  # caches follow q/k/v and the mask
            k_cache, v_cache = bottoms[base], bottoms[base + 1]
            if k_cache.size or v_cache.size:
                past = k_cache.shape[-2] if k_cache.ndim == 3 else -1
                for name, c in (("k", k_cache), ("v", v_cache)):
                    if c.shape != (h, past, d):
                        raise self.runtime_error(f"the {name} cache must be 3-D (num_heads {h}, past_len, "
                                                 f"head_dim {d})", bottoms)
        # K / V per head, (H, dst, d); a cross-attention step with a cache reuses the cache as it is
        kh = self._kv(k_blob, self._wkT, "k_bias_data", k_cache, past, ki == qi)
        vh = self._kv(v_blob, self._wvT, "v_bias_data", v_cache, past, vi == qi)
        dst = kh.shape[1]

        qh = q.reshape(src, h, d).transpose(1, 0, 2)  # (H, src, d)
        logits = qh @ kh.transpose(0, 2, 1)  # (H, src, dst)
        if self.attn_mask:
            mask = bottoms[max(qi, ki, vi) + 1]
            if not (mask.shape == (src, dst) or mask.shape == (h, src, dst)):
                raise self.runtime_error(f"attn_mask must be ({src}, {dst}) or ({h}, {src}, {dst})", bottoms)
            logits += mask
        logits -= logits.max(axis=-1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=-1, keepdims=True)
        o = (logits @ vh).transpose(1, 0, 2).reshape(src, e)  # heads side by side
        y = o @ self._woT
        y += self.weights["out_bias_data"]
        if self.kv_cache:
            return [y, kh, vh]
        return [y]

    def _kv(self, x: np.ndarray, wT: np.ndarray, bias: str, cache: np.ndarray | None, past: int,
            self_attention: bool) -> np.ndarray:
        """The `(H, dst, d)` projection of x, after the cached past when there is one."""
        if past and not self_attention:
            return np.array(cache, dtype=F32)
        cur = x @ wT
        cur += self.weights[bias]
        h = self.num_heads
        cur = cur.reshape(x.shape[0], h, -1).transpose(1, 0, 2)
        if past:
            return np.concatenate([cache, cur], axis=1).astype(F32, copy=False)
        return np.ascontiguousarray(cur)
