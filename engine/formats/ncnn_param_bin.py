"""Binary `.param.bin` reader (written by ncnn2mem): int32 words, no names, typed by layer index."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError
from ..ir import MAX_PARAM_ID, RAW, RAWS, STRING, Graph, LayerSpec, ParamDict, ParamValue, link_blobs
from .layer_type_index import CUSTOM_BIT, type_name

MAGIC = 7767517
NAME = "ncnn-param-bin"
_END = -233


def match(path: str | Path, head: bytes) -> bool:
    return len(head) >= 4 and struct.unpack("<i", head[:4])[0] == MAGIC


class _Words:
    def __init__(self, data: bytes, path: str) -> None:
        if len(data) % 4:
            raise ModelFormatError(f"size {len(data)} is not a multiple of 4 bytes", path=path)
        self.words = np.frombuffer(data, dtype="<i4")
        self.path = path
        self.pos = 0

    def take(self, what: str, layer: str | None = None) -> int:
        if self.pos >= len(self.words):
            raise ModelFormatError(f"file ends where {what} was expected (truncated?)", path=self.path,
                                   offset=self.pos * 4, layer=layer)
        v = int(self.words[self.pos])
        self.pos += 1
        return v

    def take_many(self, n: int, what: str, layer: str | None) -> np.ndarray:
        if n < 0 or self.pos + n > len(self.words):
            raise ModelFormatError(f"{what}: {n} words requested, {len(self.words) - self.pos} remain",
                                   path=self.path, offset=self.pos * 4, layer=layer)
        out = self.words[self.pos:self.pos + n]
        self.pos += n
        return out


def load(path: str | Path) -> Graph:
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ModelFormatError(f"cannot read the param file: {e.strerror or e}", path=path) from e
    return parse(data, path)


def _read_params(w: _Words, layer: str) -> dict[int, ParamValue]:
    params: dict[int, ParamValue] = {}
    while True:
        at = w.pos * 4
        key = w.take("a param id or the -233 terminator", layer)
        if key == _END:
            return params
        if key <= -23400:
            pid = -key - 23400
            n = w.take("a string length", layer)
            if not 0 <= n <= 255:
                raise ModelFormatError(f"string param {pid} has length {n} (0..255 allowed)", path=w.path,
                                       offset=at, layer=layer)
            raw = w.take_many((n + 3) // 4, "string bytes", layer).tobytes()[:n]
            value = ParamValue(STRING, raw.decode("utf-8", "replace"))
        elif key <= -23300:
            pid = -key - 23300
            n = w.take("an array length", layer)
            value = ParamValue(RAWS, tuple(int(v) for v in w.take_many(n, "array values", layer)))
        else:
            pid = key
            value = ParamValue(RAW, w.take("a param value", layer))
        if not 0 <= pid < MAX_PARAM_ID:
            raise ModelFormatError(f"param id {pid} outside 0..{MAX_PARAM_ID - 1}", path=w.path, offset=at,
                                   layer=layer)
        params[pid] = value


def parse(data: bytes, path: str = "<bytes>") -> Graph:
    w = _Words(data, path)
    if w.take("the magic number") != MAGIC:
        raise ModelFormatError(f"magic number is not {MAGIC}", path=path, offset=0)
    layer_count = w.take("the layer count")
    blob_count = w.take("the blob count")
    if layer_count <= 0 or blob_count <= 0:
        raise ModelFormatError(f"layer count {layer_count} and blob count {blob_count} must be > 0",
                               path=path, offset=4)
    layers: list[LayerSpec] = []
    produced: set[int] = set()
    for index in range(layer_count):
        at = w.pos * 4
        tindex = w.take(f"layer {index} of {layer_count}")
        tname = type_name(tindex) or (f"Custom{tindex & ~CUSTOM_BIT}" if tindex & CUSTOM_BIT else None)
        if tname is None:
            raise ModelFormatError(f"unknown layer type index {tindex}", path=path, offset=at)
        name = f"{tname}_{index}"
        nb = w.take("the bottom count", name)
        nt = w.take("the top count", name)
        if nb < 0 or nt < 0:
            raise ModelFormatError(f"negative blob count ({nb}, {nt})", path=path, offset=at, layer=name)
        ids = w.take_many(nb + nt, "blob indices", name)
        if len(ids) and (ids.min() < 0 or ids.max() >= blob_count):
            raise ModelFormatError(f"blob index outside 0..{blob_count - 1}", path=path, offset=at,
                                   layer=name)
        for t in ids[nb:]:
            if int(t) in produced:
                raise ModelFormatError(f"blob {int(t)} is produced twice", path=path, offset=at, layer=name)
            produced.add(int(t))
        params = _read_params(w, name)
        layers.append(LayerSpec(index, tname, name, tuple(str(int(i)) for i in ids[:nb]),
                                tuple(str(int(i)) for i in ids[nb:]), ParamDict(params), None))
    return Graph(tuple(layers), link_blobs(layers), source=path, format=NAME)
