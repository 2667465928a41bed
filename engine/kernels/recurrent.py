"""Recurrent layers (RNN, LSTM, GRU): the shared layer skeleton and the per-direction scans.

ncnn's three recurrent layers share their params (0=num_output 1=weight_data_size 2=direction
8=int8_scale_term), their blob convention (input `(T, size)`; output `(T, num_output * dirs)` with the
forward and reverse results side by side) and their optional state blobs: extra bottoms give the
initial states, extra tops return the final ones, each `(dirs, width)`. Every direction starts from
its own row of the initial states (zeros by default).

The input projection `W_xc x_t + b` is one matmul over all time steps; only the recurrence
`W_hc h_{t-1}` loops over T.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Layer, Param
from ..option import Option
from .activation import sigmoid

F32 = np.float32


class RecurrentLayer(Layer):
    """Params, weight loading helpers, state blobs and the direction loop of RNN / LSTM / GRU."""

    one_blob_only = False

    num_output = Param(0, INT, 0)
    weight_data_size = Param(1, INT, 0)
    direction = Param(2, INT, 0)
    int8_scale_term = Param(8, INT, 0)

    gates = 1  # weight rows per output unit: RNN 1, GRU 3, LSTM 4

    # -- subclass hooks ---------------------------------------------------------------------
    def state_widths(self) -> tuple[int, ...]:
        """Width of each state blob (hidden, then cell for LSTM)."""
        return (self.num_output,)

    def unit_size(self) -> int:
        """Units per gate: num_output, or LSTM's hidden_size."""
        return self.num_output

    def scan(self, d: int, x: np.ndarray, states: list[np.ndarray], reverse: bool) -> np.ndarray:
        """Run direction `d` over x `(T, size)`; update `states` (fresh 1-D arrays) in place; return `(T, N)`."""
        raise NotImplementedError

    # -- params and weights -----------------------------------------------------------------
    @property
    def num_directions(self) -> int:
        return 2 if self.direction == 2 else 1

    def check_params(self) -> None:
        if self.num_output <= 0:
            raise self.param_error(f"num_output (0) must be > 0, got {self.num_output}")
        if self.unit_size() <= 0:
            raise self.param_error(f"hidden_size (3) must be > 0, got {self.unit_size()}")
        if self.direction not in (0, 1, 2):
            raise self.param_error(f"direction (2) must be 0 (forward), 1 (reverse) or 2 (bidirectional), "
                                   f"got {self.direction}")
        if self.int8_scale_term:
            raise self.param_error(f"int8 inference (int8_scale_term 8={self.int8_scale_term}) is not supported: "
                                   "only fp32 / fp16 weights are")
        if self.input_size() <= 0:
            raise self.param_error(f"weight_data_size (1) {self.weight_data_size} is too small for "
                                   f"{self.num_directions} direction(s) of {self.gates} x {self.unit_size()} rows")

    def input_size(self) -> int:
        # ncnn divides with truncation, like this
        return self.weight_data_size // self.num_directions // self.unit_size() // self.gates

    def load_float(self, reader: WeightReader, what: str, shape: tuple[int, ...]) -> np.ndarray:
        """A tagged (type 0) chunk; int8-stored weights only make sense with int8_scale_term."""
        w = self.load_weight(reader, what, int(np.prod(shape)), tagged=True, shape=shape)
        if w.dtype != np.float32:
            raise self.param_error(f"'{what}' is stored as int8 but int8_scale_term (8) is 0")
        return w

    # -- forward ----------------------------------------------------------------------------
    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        widths = self.state_widths()
        n_states = len(widths)
        n_tops = len(self.spec.tops)
        if len(bottoms) not in (1, 1 + n_states):
            raise self.runtime_error(f"expects 1 input blob, or {1 + n_states} with the initial states; "
                                     f"got {len(bottoms)}", bottoms)
        if n_tops not in (1, 1 + n_states):
            raise self.runtime_error(f"has {n_tops} tops; it makes 1, or {1 + n_states} with the final states")
        x = bottoms[0]
        if x.ndim == 1:  # ncnn reads a 1-D blob as one time step (h = 1)
            x = x.reshape(1, -1)
        if x.ndim != 2:
            raise self.runtime_error("input must be 2-D (T, input_size)", bottoms)
        size = self.input_size()
        if x.shape[1] != size:
            raise self.runtime_error(f"input width {x.shape[1]} differs from input_size {size} "
                                     "(weight_data_size / directions / rows)", bottoms)
        nd = self.num_directions
        if len(bottoms) > 1:
            states = [self.initial_state(b, w, bottoms) for b, w in zip(bottoms[1:], widths, strict=True)]
            shapes = [b.shape for b in bottoms[1:]]
        else:
            states = [np.zeros((nd, w), F32) for w in widths]
            shapes = [(nd, w) for w in widths]
        x = np.ascontiguousarray(x, dtype=F32)
        outs = []
        for d in range(nd):
            rows = [s[d] for s in states]  # views: scan updates them in place
            outs.append(self.scan(d, x, rows, reverse=(d == 1 or self.direction == 1)))
        y = outs[0] if nd == 1 else np.concatenate(outs, axis=1)
        if n_tops == 1:
            return [y]
        return [y, *(s.reshape(shape) for s, shape in zip(states, shapes, strict=True))]

    def initial_state(self, blob: np.ndarray, width: int, bottoms: list[np.ndarray]) -> np.ndarray:
        """A fresh `(dirs, width)` copy of a state bottom; its shape comes back on the state top."""
        nd = self.num_directions
        # ncnn reads the state flat per direction; the bidirectional split is by rows of `width`
        if blob.size != nd * width or (nd == 2 and (blob.ndim < 2 or blob.shape[-1] != width)):
            want = f"({width},)" if nd == 1 else f"(2, {width})"
            raise self.runtime_error(f"an initial state blob must be {want}", bottoms)
        return np.array(blob, dtype=F32).reshape(nd, width)


def project(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """`x @ w.T + b` for all time steps at once: `(T, size) x (rows, size) -> (T, rows)`, float32."""
    y = x @ w.T
    if b is not None:
        y += b
    return y


def _order(T: int, reverse: bool) -> Sequence[int]:
    return range(T - 1, -1, -1) if reverse else range(T)


def rnn_scan(xp: np.ndarray, w_hcT: np.ndarray, h: np.ndarray, reverse: bool) -> np.ndarray:
    """h_t = tanh(xp_t + W_hc h_{t-1}); xp already holds W_xc x + b. h is updated in place."""
    out = np.empty_like(xp)
    for t in _order(xp.shape[0], reverse):
        g = h @ w_hcT
        g += xp[t]
        np.tanh(g, out=out[t])
        h[:] = out[t]
    return out


def lstm_scan(xp: np.ndarray, w_hcT: np.ndarray, w_hrT: np.ndarray | None, h: np.ndarray, c: np.ndarray,
              reverse: bool) -> np.ndarray:
    """ncnn's LSTM cell, gates in I F O G order (xp: `(T, 4H)` = W_xc x + b; w_hcT: `(N, 4H)`).

    c = sig(F) c + sig(I) tanh(G); h = sig(O) tanh(c), then projected by W_hr when N != H.
    h and c are updated in place.
    """
    H = c.shape[0]
    out = np.empty((xp.shape[0], h.shape[0]), F32)
    for t in _order(xp.shape[0], reverse):
        g = h @ w_hcT
        g += xp[t]
        s = sigmoid(g[:3 * H])
        gg = np.tanh(g[3 * H:])
        c *= s[H:2 * H]
        gg *= s[:H]
        c += gg
        hh = np.tanh(c)
        hh *= s[2 * H:]
        if w_hrT is not None:
            hh = hh @ w_hrT
        out[t] = hh
        h[:] = hh
    return out


def gru_scan(xp: np.ndarray, w_hcT: np.ndarray, b_hn: np.ndarray, h: np.ndarray, reverse: bool) -> np.ndarray:
    """ncnn's GRU cell, gates R U N, linear-before-reset (xp: `(T, 3N)` = W_xc x + [b_r, b_u, b_wn]).

    r, u = sig(xp + W_h h); n = tanh(xp_n + r (W_hn h + b_hn)); h = (1 - u) n + u h. h updated in place.
    """
    N = h.shape[0]
    out = np.empty((xp.shape[0], N), F32)
    one = F32(1)
    for t in _order(xp.shape[0], reverse):
        g = h @ w_hcT
        ru = g[:2 * N]
        ru += xp[t, :2 * N]
        ru = sigmoid(ru)
        n = g[2 * N:]
        n += b_hn
        n *= ru[:N]
        n += xp[t, 2 * N:]
        np.tanh(n, out=n)
        u = ru[N:]
        # (1 - u) * n + u * h, in ncnn's order
        hn = (one - u) * n
        hn += u * h
        out[t] = hn
        h[:] = hn
    return out
