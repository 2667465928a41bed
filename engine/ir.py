"""Format-neutral description of a model: layers, blobs and raw params. Frozen values only."""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping

# How a value was written. Scalars and arrays keep their raw 32-bit patterns, as ncnn does.
INT, FLOAT, RAW = "int", "float", "raw"  # RAW: from a binary .param, type unknown
INTS, FLOATS, RAWS = "ints", "floats", "raws"
STRING = "str"

SHAPE_HINT_ID = 30
FEATMASK_ID = 31
MAX_PARAM_ID = 32


class ParamTypeError(ValueError):
    """A param was written with a type the layer cannot read (ncnn refuses these too)."""


def _f2bits(value: float) -> int:
    return struct.unpack("<i", struct.pack("<f", value))[0]


def _bits2f(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<i", bits))[0]


@dataclass(frozen=True)
class ParamValue:
    """One `id=value` entry. `bits` holds raw int32 patterns (one, or a tuple for arrays)."""

    kind: str
    bits: int | tuple[int, ...] | str
    text: str = ""

    @staticmethod
    def of_int(v: int, text: str = "") -> "ParamValue":
        return ParamValue(INT, int(v), text or str(v))

    @staticmethod
    def of_float(v: float, text: str = "") -> "ParamValue":
        return ParamValue(FLOAT, _f2bits(v), text or repr(v))

    @property
    def is_array(self) -> bool:
        return self.kind in (INTS, FLOATS, RAWS)

    def as_int(self) -> int:
        if self.kind in (INT, RAW):
            return self.bits  # type: ignore[return-value]
        if self.kind == FLOAT:
            raise ParamTypeError(f"written as a float ({self.text}) where an int is expected")
        raise ParamTypeError(f"written as {self.kind} ({self.text}) where an int is expected")

    def as_float(self) -> float:
        if self.kind == FLOAT or self.kind == RAW:
            return _bits2f(self.bits)  # type: ignore[arg-type]
        if self.kind == INT:
            # ncnn (pip 1.0.20261020) converts an int-written value by value: `1=6` reads as 6.0.
            return float(self.bits)  # type: ignore[arg-type]
        raise ParamTypeError(f"written as {self.kind} ({self.text}) where a float is expected")

    def as_ints(self) -> tuple[int, ...]:
        if self.kind in (INTS, RAWS):
            return self.bits  # type: ignore[return-value]
        if self.kind == FLOATS:
            raise ParamTypeError(f"written as a float array ({self.text}) where an int array is expected")
        raise ParamTypeError(f"written as a scalar ({self.text}) where an array is expected")

    def as_floats(self) -> tuple[float, ...]:
        if self.kind in (FLOATS, RAWS):
            return tuple(_bits2f(b) for b in self.bits)  # type: ignore[union-attr]
        if self.kind == INTS:
            # An int array read as floats converts each element's int view (matches ncnn).
            return tuple(float(b) for b in self.bits)  # type: ignore[union-attr]
        raise ParamTypeError(f"written as a scalar ({self.text}) where an array is expected")

    def as_str(self) -> str:
        if self.kind == STRING:
            return self.bits  # type: ignore[return-value]
        raise ParamTypeError(f"written as {self.kind} ({self.text}) where a string is expected")

    def display(self) -> str:
        """Human-readable value for viewers (numbers as ncnn would read them by kind)."""
        if self.kind == STRING:
            return repr(self.bits)
        if self.kind == INT:
            return str(self.bits)
        if self.kind == FLOAT:
            return f"{self.as_float():g}"
        if self.kind == INTS:
            return ",".join(str(b) for b in self.bits)  # type: ignore[union-attr]
        if self.kind == FLOATS:
            return ",".join(f"{v:g}" for v in self.as_floats())
        if self.kind == RAW:
            return self.text or str(self.bits)
        return ",".join(str(b) for b in self.bits)  # type: ignore[union-attr]


class ParamDict(Mapping[int, ParamValue]):
    """Read-only id -> ParamValue map with ncnn's typed getters."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[int, ParamValue] | None = None) -> None:
        self._values = MappingProxyType(dict(values or {}))

    def __getitem__(self, key: int) -> ParamValue:
        return self._values[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "ParamDict(" + " ".join(f"{k}={v.display()}" for k, v in self._values.items()) + ")"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamDict) and dict(self._values) == dict(other._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def get_int(self, pid: int, default: int) -> int:
        v = self._values.get(pid)
        return default if v is None else v.as_int()

    def get_float(self, pid: int, default: float) -> float:
        v = self._values.get(pid)
        return default if v is None else v.as_float()

    def get_ints(self, pid: int, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        v = self._values.get(pid)
        return default if v is None else v.as_ints()

    def get_floats(self, pid: int, default: tuple[float, ...] = ()) -> tuple[float, ...]:
        v = self._values.get(pid)
        return default if v is None else v.as_floats()

    def get_str(self, pid: int, default: str = "") -> str:
        v = self._values.get(pid)
        return default if v is None else v.as_str()


@dataclass(frozen=True)
class LayerSpec:
    """One layer as written in the model file."""

    index: int
    type: str
    name: str
    bottoms: tuple[str, ...]
    tops: tuple[str, ...]
    params: ParamDict = field(default_factory=ParamDict)
    line: int | None = None  # 1-based line in a text .param (None for binary)

    @property
    def featmask(self) -> int:
        v = self.params.get(FEATMASK_ID)
        return 0 if v is None or v.kind not in (INT, RAW) else int(v.bits)  # type: ignore[arg-type]

    @property
    def shape_hints(self) -> tuple[tuple[int, ...], ...]:
        """Per top: numpy-order shape declared by param 30 (ncnnoptimize), or () when absent."""
        v = self.params.get(SHAPE_HINT_ID)
        if v is None or not v.is_array:
            return ()
        ints = list(v.as_ints()) if v.kind != FLOATS else []
        n = len(self.tops)
        if n == 0 or len(ints) not in (4 * n, 5 * n):
            return ()
        step = len(ints) // n
        hints = []
        for t in range(n):
            dims, *rest = ints[t * step:(t + 1) * step]
            w, h = rest[0], rest[1]
            d, c = (rest[2], rest[3]) if step == 5 else (1, rest[2])
            full = {1: (w,), 2: (h, w), 3: (c, h, w), 4: (c, d, h, w)}.get(dims, ())
            hints.append(full)
        return tuple(hints)


@dataclass(frozen=True)
class BlobSpec:
    index: int
    name: str
    producer: int | None  # layer index, None for a blob the user must input()
    consumers: tuple[int, ...]


@dataclass(frozen=True)
class Graph:
    """A whole model graph: layers in file order (a topological order) and their blobs."""

    layers: tuple[LayerSpec, ...]
    blobs: tuple[BlobSpec, ...]
    source: str = ""
    format: str = ""

    def blob_index(self, name: str) -> int | None:
        for b in self.blobs:
            if b.name == name:
                return b.index
        return None


def link_blobs(layers: list[LayerSpec]) -> tuple[BlobSpec, ...]:
    """Build BlobSpecs from layer tops/bottoms (names already validated by the parser)."""
    producer: dict[str, int] = {}
    consumers: dict[str, list[int]] = {}
    order: list[str] = []
    for layer in layers:
        for name in layer.bottoms:
            if name not in consumers:
                consumers[name] = []
                order.append(name)
            consumers[name].append(layer.index)
        for name in layer.tops:
            if name not in consumers:
                consumers[name] = []
                order.append(name)
            producer[name] = layer.index
    return tuple(
        BlobSpec(i, name, producer.get(name), tuple(consumers[name])) for i, name in enumerate(order)
    )
