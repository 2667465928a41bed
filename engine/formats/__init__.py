"""Model formats: each module offers `match(path, head_bytes)` and `load(path) -> Graph`."""
from __future__ import annotations

from pathlib import Path

from ..errors import ModelFormatError
from ..ir import Graph
from . import ncnn_param, ncnn_param_bin

FORMATS = (ncnn_param, ncnn_param_bin)


def load_graph(path: str | Path) -> Graph:
    """Load a model graph, choosing the format by content (not by file name)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as e:
        raise ModelFormatError(f"cannot open the model: {e.strerror or e}", path=str(path)) from e
    for fmt in FORMATS:
        if fmt.match(path, head):
            return fmt.load(path)
    raise ModelFormatError("not an ncnn .param (text or binary): the magic number 7767517 is missing",
                           path=str(path), offset=0)
