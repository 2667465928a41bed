"""`.bin` weight readers: the real file (tagged/raw chunks, 4-byte aligned) and synthetic weights.

The file has no index: each layer's `load_model` replays its requests in order. Every request is
checked against the bytes that remain *before* anything is allocated, so a hostile count fails fast.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelFormatError

TAG_FP32 = 0x00000000
TAG_FP16 = 0x01306B47
TAG_INT8 = 0x000D4B38
TAG_RAW_SCALED = 0x0002C056

# Storage kinds reported to viewers.
FP32, FP16, INT8, CODEBOOK = "fp32", "fp16", "int8", "codebook"


def _pad4(n: int) -> int:
    return (n + 3) & ~3


class WeightReader:
    """Base: `load(count, tagged, what, layer)` returns a 1-D array (float32, or int8 for int8 tags)."""

    path: str = ""

    def load(self, count: int, tagged: bool, what: str, layer: str) -> tuple[np.ndarray, str]:
        raise NotImplementedError

    @property
    def position(self) -> int:
        return 0

    def remaining(self) -> int:
        return 0


class FileWeights(WeightReader):
    def __init__(self, path: str | Path, data: bytes | None = None) -> None:
        self.path = str(path)
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError as e:
                raise ModelFormatError(f"cannot read the weight file: {e.strerror or e}", path=self.path) from e
        self._data = memoryview(data)
        self._pos = 0

    @property
    def position(self) -> int:
        return self._pos

    def remaining(self) -> int:
        return len(self._data) - self._pos

    def _need(self, nbytes: int, what: str, layer: str) -> None:
        if nbytes > self.remaining():
            raise ModelFormatError(
                f"'{what}' needs {nbytes} bytes but only {self.remaining()} remain "
                f"(truncated .bin, or it does not belong to this .param)",
                path=self.path, offset=self._pos, layer=layer)

    def _take(self, nbytes: int) -> memoryview:
        out = self._data[self._pos:self._pos + nbytes]
        self._pos += nbytes
        return out

    def load(self, count: int, tagged: bool, what: str, layer: str) -> tuple[np.ndarray, str]:
        if count < 0:
            raise ModelFormatError(f"'{what}' has a negative size {count}", path=self.path, offset=self._pos,
                                   layer=layer)
        if not tagged:
            self._need(4 * count, what, layer)
            return np.frombuffer(self._take(4 * count), dtype="<f4").astype(np.float32), FP32
        self._need(4, what + " tag", layer)
        tag = int.from_bytes(self._take(4), "little")
        if tag == TAG_FP16:
            self._need(_pad4(2 * count), what, layer)
            raw = self._take(_pad4(2 * count))[:2 * count]
            return np.frombuffer(raw, dtype="<f2").astype(np.float32), FP16
        if tag == TAG_INT8:
            self._need(_pad4(count), what, layer)
            return np.frombuffer(self._take(_pad4(count))[:count], dtype=np.int8).copy(), INT8
        if tag in (TAG_FP32, TAG_RAW_SCALED):
            self._need(4 * count, what, layer)
            return np.frombuffer(self._take(4 * count), dtype="<f4").astype(np.float32), FP32
        # Any other tag: a 256-entry fp32 codebook, then uint8 indices (legacy quantised caffe models).
        self._need(1024 + _pad4(count), what, layer)
        codebook = np.frombuffer(self._take(1024), dtype="<f4").astype(np.float32)
        idx = np.frombuffer(self._take(_pad4(count))[:count], dtype=np.uint8)
        return codebook[idx], CODEBOOK


class SyntheticWeights(WeightReader):
    """Weights for a weightless `.param` (as benchncnn does): zeros, or seeded random values.

    Random values are small (uniform in ±0.1) so deep stacks stay finite; statistics that must be
    positive (variances, int8 scales) come out positive. `max_bytes` bounds the total so a hostile
    param cannot make us allocate without limit.
    """

    def __init__(self, fill: str = "zeros", seed: int = 0, max_bytes: int = 4 << 30) -> None:
        if fill not in ("zeros", "random"):
            raise ValueError(f"fill must be 'zeros' or 'random', not {fill!r}")
        self.fill = fill
        self.path = f"<synthetic {fill} weights>"
        self._rng = np.random.default_rng(seed)
        self._left = max_bytes
        self._count = 0

    @property
    def position(self) -> int:
        return self._count

    def load(self, count: int, tagged: bool, what: str, layer: str) -> tuple[np.ndarray, str]:
        if count < 0 or 4 * count > self._left:
            raise ModelFormatError(f"'{what}' asks for {count} synthetic values, over the {self._left} "
                                   f"bytes still allowed", path=self.path, layer=layer)
        self._left -= 4 * count
        self._count += count
        if self.fill == "zeros":
            return np.zeros(count, np.float32), FP32
        values = self._rng.uniform(-0.1, 0.1, count).astype(np.float32)
        if "var" in what or "scale" in what:
            values = np.abs(values) + np.float32(0.5)
        return values, FP32
