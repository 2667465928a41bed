"""ncnn2table's `.table` format, both ways.

One line per entry, `KEY v0 v1 ...` separated by spaces. Keys ending in `_param_N` hold weight scales of
layer KEY (N = 0 for the only/first weight; MultiHeadAttention uses 0..3 for q/k/v/out, RNNs 0..1 for
xc/hc); any other key is a layer name and its values are the scales of that layer's bottom blob(s).
ncnn2table prints values with `%f`; we write `%g` with 9 significant digits so a scale survives the
round trip exactly in float32 (ncnn2int8 parses either with strtof).
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError

_PARAM_KEY = re.compile(r"^(?P<layer>.+)_param_(?P<index>\d+)$")
MAX_TABLE_BYTES = 64 << 20  # a table is a few KB per thousand layers; refuse absurd files before reading


@dataclass
class Int8Table:
    """Scales by layer name: weight scales per weight index, bottom-blob scales per layer."""

    weight_scales: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    blob_scales: dict[str, np.ndarray] = field(default_factory=dict)

    def weight(self, layer: str, index: int = 0) -> np.ndarray | None:
        return self.weight_scales.get(layer, {}).get(index)

    def blob(self, layer: str) -> np.ndarray | None:
        return self.blob_scales.get(layer)


def parse_table(text: str, source: str = "<table>") -> Int8Table:
    table = Int8Table()
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        key, raw = parts[0], parts[1:]
        try:
            values = np.array([float(v) for v in raw], dtype=np.float32)
        except ValueError as e:
            raise ModelFormatError(f"{source}: bad number on line {lineno} ({e})", line=lineno) from None
        if not values.size:
            raise ModelFormatError(f"{source}: line {lineno} ('{key}') has no values", line=lineno)
        # +inf is legal: ncnn2table writes 127/0 for an all-zero weight channel
        if np.any(np.isnan(values)) or np.any(values < 0):
            raise ModelFormatError(f"{source}: line {lineno} ('{key}') has a negative or NaN scale", line=lineno)
        m = _PARAM_KEY.match(key)
        if m:
            table.weight_scales.setdefault(m.group("layer"), {})[int(m.group("index"))] = values
        else:
            table.blob_scales[key] = values
    return table


def read_table(path: str | Path) -> Int8Table:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise ModelFormatError(f"{path}: {size} bytes is not a calibration table")
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise ModelFormatError(f"{path}: not a text calibration table ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise ModelFormatError(f"{path}: cannot read the table ({e.strerror})") from None
    return parse_table(text, str(path))


def format_table(table: Int8Table) -> str:
    """Weight lines first, then blob lines, in insertion order (ncnn2table's layout)."""
    lines = []
    for layer, by_index in table.weight_scales.items():
        for index in sorted(by_index):
            lines.append(f"{layer}_param_{index} " + " ".join(f"{v:.9g}" for v in by_index[index]))
    for layer, values in table.blob_scales.items():
        lines.append(f"{layer} " + " ".join(f"{v:.9g}" for v in values))
    return "\n".join(lines) + "\n"


def write_table(table: Int8Table, path: str | Path) -> None:
    """Atomic: a failure never leaves a half-written table in place of a good one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(format_table(table))
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; a table is meant to be shared like any file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
