"""Blob -> pictures (numpy only): channel mosaics with a colour map, per-channel or global scaling."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil, sqrt

import numpy as np

# Anchor colours of a perceptually ordered map (viridis-like), interpolated to 256 entries.
_ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], np.float32)
_GRAY = np.array([[0, 0, 0], [255, 255, 255]], np.float32)
_DIVERGING = np.array([[33, 102, 172], [247, 247, 247], [178, 24, 43]], np.float32)
COLOUR_MAPS = {"viridis": _ANCHORS, "gray": _GRAY, "diverging": _DIVERGING}
MAX_TILES = 256


def _lut(anchors: np.ndarray) -> np.ndarray:
    xs = np.linspace(0, 1, len(anchors))
    t = np.linspace(0, 1, 256)
    return np.stack([np.interp(t, xs, anchors[:, k]) for k in range(3)], axis=1).round().astype(np.uint8)


LUTS = {name: _lut(a) for name, a in COLOUR_MAPS.items()}


def as_channels(blob: np.ndarray) -> np.ndarray:
    """Any blob as (channels, h, w): 1-D -> (1,1,w), 2-D -> (1,h,w), 4-D (c,d,h,w) -> (c*d,h,w)."""
    a = np.asarray(blob, dtype=np.float32)
    if a.ndim == 0:
        return a.reshape(1, 1, 1)
    if a.ndim == 1:
        return a.reshape(1, 1, -1)
    if a.ndim == 2:
        return a[None]
    return a.reshape(-1, a.shape[-2], a.shape[-1])


def normalise(ch: np.ndarray, per_channel: bool, symmetric: bool = False) -> np.ndarray:
    """Map values to 0..1 (NaN/Inf to 0), per channel or over the whole blob."""
    x = np.where(np.isfinite(ch), ch, np.nan)
    axes = (1, 2) if per_channel else None
    if symmetric:
        m = np.nanmax(np.abs(x), axis=axes, keepdims=True) if np.isfinite(x).any() else np.ones(1)
        lo, hi = -m, m
    else:
        lo = np.nanmin(x, axis=axes, keepdims=True) if np.isfinite(x).any() else np.zeros(1)
        hi = np.nanmax(x, axis=axes, keepdims=True) if np.isfinite(x).any() else np.ones(1)
    span = np.where(np.nan_to_num(hi - lo) > 0, hi - lo, 1.0)
    return np.nan_to_num((x - lo) / span, nan=0.0).clip(0, 1)


def colourise(unit: np.ndarray, cmap: str = "viridis") -> np.ndarray:
    return LUTS[cmap][(unit * 255).round().astype(np.intp)]


@dataclass(frozen=True)
class Mosaic:
    image: np.ndarray  # H x W x 3 uint8
    columns: int
    tile_h: int
    tile_w: int
    channels: int  # tiles drawn
    total_channels: int
    gap: int

    def channel_at(self, x: float, y: float) -> int | None:
        col, row = int(x // (self.tile_w + self.gap)), int(y // (self.tile_h + self.gap))
        c = row * self.columns + col
        return c if 0 <= col < self.columns and 0 <= c < self.channels else None


def channel_mosaic(blob: np.ndarray, per_channel: bool = True, cmap: str = "viridis",
                   max_tiles: int = MAX_TILES, gap: int = 1) -> Mosaic:
    ch = as_channels(blob)
    total = ch.shape[0]
    ch = ch[:max_tiles]
    n, h, w = ch.shape
    cols = max(1, ceil(sqrt(n * h / max(w, 1))))  # roughly square overall
    cols = min(cols, n)
    rows = ceil(n / cols)
    tiles = colourise(normalise(ch, per_channel, symmetric=cmap == "diverging"), cmap)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tiles[i]
    return Mosaic(out, cols, h, w, n, total, gap)
