"""Writers for ncnn's text `.param` and `.bin` (tagged chunks padded to 4 bytes, as modelwriter does)."""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..ir import FLOAT, FLOATS, INT, INTS, RAW, RAWS, STRING, ParamValue
from .ncnn_bin import TAG_FP16, TAG_FP32, TAG_INT8


def format_float(v: float) -> str:
    """`%e` like ncnn's converters: always has an 'e' so it reads back as a float, < 15 chars."""
    return "%e" % float(np.float32(v))


def format_param_value(pid: int, value: Any) -> str:
    """`id=value` text for a python value or a ParamValue (arrays use the new-style syntax)."""
    if isinstance(value, ParamValue):
        if value.kind == STRING:
            return _string(pid, str(value.bits))
        if value.kind in (INT, RAW):
            return f"{pid}={value.bits}"
        if value.kind == FLOAT:
            return f"{pid}={format_float(value.as_float())}"
        if value.kind in (INTS, RAWS):
            value = list(value.as_ints())
        else:
            value = [float(x) for x in value.as_floats()]
        return _array(pid, value)
    if isinstance(value, bool):
        return f"{pid}={int(value)}"
    if isinstance(value, (int, np.integer)):
        return f"{pid}={int(value)}"
    if isinstance(value, (float, np.floating)):
        return f"{pid}={format_float(value)}"
    if isinstance(value, str):
        return _string(pid, value)
    return _array(pid, list(value))


def _string(pid: int, text: str) -> str:
    """ncnn reads a value as a string only when it starts with a letter or a quote: quote the rest
    (shape expressions such as `0w,-1`) and anything holding a space."""
    if (text[:1].isalpha() and " " not in text) or (len(text) > 1 and text[0] == text[-1] == '"'):
        return f"{pid}={text}"  # plain, or already quoted by the caller
    return f'{pid}="{text}"'


def _array(pid: int, items: Sequence[Any]) -> str:
    if not items:
        return f"-{23300 + pid}=0"
    is_float = any(isinstance(x, (float, np.floating)) for x in items)
    text = [format_float(x) if is_float else str(int(x)) for x in items]
    if len(items) == 1:  # a one-element new-style array would read back as a scalar
        return f"-{23300 + pid}=1,{text[0]}"
    return f"{pid}=" + ",".join(text)


@dataclass
class LayerLine:
    type: str
    name: str
    bottoms: Sequence[str]
    tops: Sequence[str]
    params: Mapping[int, Any] = field(default_factory=dict)

    def text(self) -> str:
        head = f"{self.type:<24} {self.name:<24} {len(self.bottoms)} {len(self.tops)}"
        blobs = " ".join([*self.bottoms, *self.tops])
        params = " ".join(format_param_value(k, v) for k, v in self.params.items())
        return " ".join(p for p in (head, blobs, params) if p)


def param_text(layers: Sequence[LayerLine]) -> str:
    names: dict[str, None] = {}
    for layer in layers:
        for b in [*layer.bottoms, *layer.tops]:
            names[b] = None
    lines = ["7767517", f"{len(layers)} {len(names)}", *(layer.text() for layer in layers)]
    return "\n".join(lines) + "\n"


class BinWriter:
    """Accumulates `.bin` chunks in load order."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def tagged(self, array: np.ndarray, storage: str = "fp32") -> "BinWriter":
        a = np.ascontiguousarray(array).reshape(-1)
        if storage == "fp32":
            data = struct.pack("<I", TAG_FP32) + a.astype("<f4").tobytes()
        elif storage == "fp16":
            data = struct.pack("<I", TAG_FP16) + a.astype("<f2").tobytes()
        elif storage == "int8":
            if a.dtype != np.int8:
                raise ValueError("int8 storage needs an int8 array")
            data = struct.pack("<I", TAG_INT8) + a.tobytes()
        else:
            raise ValueError(f"unknown storage {storage!r}")
        self._chunks.append(data + b"\0" * (-len(data) % 4))
        return self

    def raw(self, array: np.ndarray) -> "BinWriter":
        self._chunks.append(np.ascontiguousarray(array, dtype="<f4").reshape(-1).tobytes())
        return self

    def bytes(self) -> bytes:
        return b"".join(self._chunks)


def write_model(param_path: str | Path, bin_path: str | Path, layers: Sequence[LayerLine],
                weights: BinWriter | None = None) -> None:
    Path(param_path).write_text(param_text(layers))
    Path(bin_path).write_bytes(weights.bytes() if weights else b"")
