"""Text `.param` reader (ncnn's grammar: whitespace tokens, `id=value` params typed by spelling)."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ModelFormatError
from ..ir import (
    FLOAT, FLOATS, INT, INTS, MAX_PARAM_ID, STRING, Graph, LayerSpec, ParamDict, ParamValue, _f2bits,
    link_blobs,
)

MAGIC = 7767517
NAME = "ncnn-param"
_MAX_NAME = 255
_MAX_STRING = 255

_TOKEN = re.compile(r'(?:[^\s"]|"[^"\n]*"?)+')
_PARAM_KEY = re.compile(r"^(-?\d+)=(.*)$", re.S)
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def match(path: str | Path, head: bytes) -> bool:
    return head.lstrip()[:7] == b"7767517"


def load(path: str | Path) -> Graph:
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise ModelFormatError(f"cannot read the param file: {e.strerror or e}", path=path) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFormatError(f"not a text .param (undecodable byte at {e.start})", path=path,
                               offset=e.start) from e
    return parse(text, path)


class _Tokens:
    """Tokens with their 1-based line numbers."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.items: list[tuple[str, int]] = []
        line, last = 1, 0
        for m in _TOKEN.finditer(text):
            line += text.count("\n", last, m.start())
            last = m.start()
            self.items.append((m.group(0), line))
        self.pos = 0
        self.last_line = line

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def line(self) -> int:
        return self.items[self.pos][1] if self.pos < len(self.items) else self.last_line

    def take(self, what: str, layer: str | None = None) -> tuple[str, int]:
        if self.pos >= len(self.items):
            raise ModelFormatError(f"file ends where {what} was expected (truncated?)",
                                   path=self.path, line=self.last_line, layer=layer)
        tok = self.items[self.pos]
        self.pos += 1
        return tok

    def take_int(self, what: str, layer: str | None = None, minimum: int = 0) -> int:
        tok, line = self.take(what, layer)
        if not _INT.match(tok):
            raise ModelFormatError(f"{what} must be an integer, got {tok!r}", path=self.path, line=line,
                                   layer=layer)
        v = int(tok)
        if v < minimum:
            raise ModelFormatError(f"{what} must be >= {minimum}, got {v}", path=self.path, line=line,
                                   layer=layer)
        return v


def _number(text: str) -> ParamValue:
    """One scalar typed by spelling: float if it has '.', 'e' or 'E' (ncnn's rule)."""
    if any(ch in text for ch in ".eE"):
        if not _FLOAT.match(text):
            raise ValueError(f"{text!r} is not a number")
        return ParamValue(FLOAT, _f2bits(float(text)), text)
    if not _INT.match(text):
        raise ValueError(f"{text!r} is not a number")
    v = int(text)
    if not -(2**31) <= v < 2**31:
        raise ValueError(f"{text!r} does not fit in 32 bits")
    return ParamValue(INT, v, text)


def parse_param_value(key: int, value: str) -> tuple[int, ParamValue]:
    """Parse the value of `key=value`; returns (real id, value). Raises ValueError on bad input."""
    if key <= -23300:
        pid = -key - 23300
        if not 0 <= pid < MAX_PARAM_ID:
            raise ValueError(f"array param id {pid} outside 0..{MAX_PARAM_ID - 1}")
        parts = value.split(",")
        if not _INT.match(parts[0]):
            raise ValueError(f"old-style array length {parts[0]!r} is not an integer")
        n = int(parts[0])
        if n != len(parts) - 1:
            raise ValueError(f"old-style array declares {n} elements but has {len(parts) - 1}")
        elems = [_number(p) for p in parts[1:]]
        # ncnn records the type of the *last* element; each element keeps its own bit pattern.
        kind = FLOATS if elems and elems[-1].kind == FLOAT else INTS
        return pid, ParamValue(kind, tuple(e.bits for e in elems), value)  # type: ignore[misc]
    if not 0 <= key < MAX_PARAM_ID:
        raise ValueError(f"param id {key} outside 0..{MAX_PARAM_ID - 1}")
    if not value:
        raise ValueError("empty value")
    if value[0].isalpha() or value[0] == '"':
        s = value[1:] if value[0] == '"' else value
        s = s[:-1] if s.endswith('"') else s
        if len(s) > _MAX_STRING:
            raise ValueError(f"string longer than {_MAX_STRING} characters")
        return key, ParamValue(STRING, s, value)
    if "," in value:
        elems = [_number(p) for p in value.split(",")]
        kind = elems[0].kind
        if any(e.kind != kind for e in elems):
            raise ValueError("array mixes int and float elements (ncnn refuses this)")
        return key, ParamValue(FLOATS if kind == FLOAT else INTS, tuple(e.bits for e in elems), value)  # type: ignore[misc]
    return key, _number(value)


def parse(text: str, path: str = "<string>") -> Graph:
    toks = _Tokens(text, path)
    magic = toks.take_int("the magic number 7767517")
    if magic != MAGIC:
        raise ModelFormatError(f"magic number is {magic}, expected {MAGIC} (param too old or not a .param)",
                               path=path, line=1)
    layer_count = toks.take_int("the layer count", minimum=1)
    blob_count = toks.take_int("the blob count", minimum=1)
    layers: list[LayerSpec] = []
    known: set[str] = set()
    produced: dict[str, int] = {}
    for index in range(layer_count):
        type_name, line = toks.take(f"layer {index} of {layer_count}")
        if _PARAM_KEY.match(type_name):
            raise ModelFormatError(f"expected a layer type, found param {type_name!r}", path=path, line=line)
        name, _ = toks.take("the layer name")
        if len(type_name) > _MAX_NAME or len(name) > _MAX_NAME:
            raise ModelFormatError("layer type or name longer than 255 characters", path=path, line=line,
                                   layer=name[:40])
        nb = toks.take_int("the bottom count", name)
        nt = toks.take_int("the top count", name)
        bottoms = tuple(toks.take("a bottom blob name", name)[0] for _ in range(nb))
        tops = tuple(toks.take("a top blob name", name)[0] for _ in range(nt))
        for b in bottoms:
            known.add(b)
        for t in tops:
            if t in produced:
                raise ModelFormatError(f"blob '{t}' is produced twice (first at line {produced[t]})",
                                       path=path, line=line, layer=name)
            if t in known:
                raise ModelFormatError(f"blob '{t}' is consumed before it is produced here",
                                       path=path, line=line, layer=name)
            produced[t] = line
        known.update(tops)
        if len(known) > blob_count:
            raise ModelFormatError(f"more distinct blob names than the declared blob count {blob_count}",
                                   path=path, line=line, layer=name)
        params: dict[int, ParamValue] = {}
        while (tok := toks.peek()) is not None and (m := _PARAM_KEY.match(tok)):
            tok, pline = toks.take("a param")
            try:
                pid, value = parse_param_value(int(m.group(1)), m.group(2))
            except ValueError as e:
                raise ModelFormatError(f"bad param {tok!r}: {e}", path=path, line=pline, layer=name) from e
            params[pid] = value
        layers.append(LayerSpec(index, type_name, name, bottoms, tops, ParamDict(params), line))
    # Anything after the declared layers is ignored, as ncnn does.
    return Graph(tuple(layers), link_blobs(layers), source=path, format=NAME)
