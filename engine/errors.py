"""Errors of the engine room. Every message names where: file, line or byte offset, layer."""
from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class ModelFormatError(EngineError):
    """A model file (or a part of it) is malformed, truncated or hostile."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        offset: int | None = None,
        layer: str | None = None,
    ) -> None:
        self.detail = message
        self.path = path
        self.line = line
        self.offset = offset
        self.layer = layer
        super().__init__(self._compose())

    def located(self, path: str) -> "ModelFormatError":
        """The same error with the model file named (layers raise it without knowing the path)."""
        if self.path:
            return self
        return ModelFormatError(self.detail, path=path, line=self.line, offset=self.offset, layer=self.layer)

    def _compose(self) -> str:
        where = []
        if self.path and self.path != "<string>":
            where.append(str(self.path) + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.offset is not None:
            where.append(f"byte offset {self.offset}")
        if self.layer:
            where.append(f"layer '{self.layer}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


class UnsupportedLayerError(EngineError):
    """The graph holds a layer type this engine cannot run (it can still be viewed)."""


class LayerRuntimeError(EngineError):
    """A layer failed while running: names the layer, its type and the input shapes."""


class ExtractionCancelled(EngineError):
    """Extractor.cancel() was called; raised between two layers."""


class BlobNotFoundError(EngineError):
    """A blob name or index that the model does not have."""
