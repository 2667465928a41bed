"""Net: a loaded model (layers + weights), shared and read-only once loaded. Runs go through Extractors."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BlobNotFoundError, EngineError, ModelFormatError
from .formats import load_graph
from .formats.ncnn_bin import FileWeights, SyntheticWeights, WeightReader
from .formats.ncnn_param import parse as parse_param_text
from .ir import BlobSpec, Graph
from .layer import Layer, UnknownLayer
from .option import Option
from .registry import create_layer


@dataclass(frozen=True)
class WeightInfo:
    """One weight array of a layer, as a viewer describes it."""

    name: str
    shape: tuple[int, ...]
    storage: str  # fp32 / fp16 / int8 / codebook


class Net:
    def __init__(self) -> None:
        self.opt = Option()
        self.graph: Graph | None = None
        self.layers: list[Layer] = []
        self.param_path = ""
        self.model_path = ""
        self.weights_loaded = False

    # -- loading ----------------------------------------------------------------------------
    def load_param(self, path: str | Path) -> None:
        """Load a text `.param` or binary `.param.bin` (told apart by content)."""
        self._build(load_graph(path), str(path))

    def load_param_text(self, text: str, name: str = "<string>") -> None:
        self._build(parse_param_text(text, name), name)

    def _build(self, graph: Graph, path: str) -> None:
        layers = []
        for spec in graph.layers:
            try:
                layers.append(create_layer(spec))
            except ModelFormatError as e:
                raise e.located(path) from e
        self.graph, self.layers, self.param_path = graph, layers, path
        self.weights_loaded = False
        self._index = {b.name: b.index for b in graph.blobs}

    def load_model(self, path: str | Path) -> None:
        """Load the `.bin` weights that belong to the loaded `.param`."""
        self._load_weights(FileWeights(path))
        self.model_path = str(path)

    def load_synthetic_weights(self, fill: str = "zeros", seed: int = 0) -> None:
        """Weights for a weightless `.param` (zeros, as benchncnn does, or seeded random values)."""
        self._load_weights(SyntheticWeights(fill, seed))
        self.model_path = f"<synthetic {fill} weights, seed {seed}>"

    def _load_weights(self, reader: WeightReader) -> None:
        if self.graph is None:
            raise EngineError("load_param() must come before load_model()")
        for layer in self.layers:
            layer.weights.clear()
            layer.weight_storage.clear()
            layer.weight_tagged.clear()
            try:
                layer.load_model(reader)
                layer.create_pipeline(self.opt)
            except ModelFormatError as e:
                raise e.located(reader.path) from e
            except (ValueError, IndexError, MemoryError) as e:
                raise ModelFormatError(f"weights do not fit the layer's params: {e}", path=reader.path,
                                       offset=reader.position, layer=layer.name) from e
        self.weights_loaded = True

    # -- description for viewers ----------------------------------------------------------
    @property
    def blobs(self) -> tuple[BlobSpec, ...]:
        return self.graph.blobs if self.graph else ()

    def blob_index(self, blob: str | int) -> int:
        if isinstance(blob, int):
            if 0 <= blob < len(self.blobs):
                return blob
            raise BlobNotFoundError(f"blob index {blob} outside 0..{len(self.blobs) - 1}")
        idx = self._index.get(blob) if self.graph else None
        if idx is None:
            raise BlobNotFoundError(f"no blob named '{blob}' in {self.param_path or 'the model'}")
        return idx

    def input_names(self) -> list[str]:
        """Blobs the user must provide: tops of Input layers and blobs nobody produces."""
        out = []
        for b in self.blobs:
            if b.producer is None or self.layers[b.producer].spec.type == "Input":
                out.append(b.name)
        return out

    def declared_input_shape(self) -> tuple[int, ...]:
        """numpy-order shape the first Input layer declares (w/h/c params), () when it declares none."""
        for layer in self.layers:
            if layer.spec.type == "Input":
                return layer.declared_shape()  # type: ignore[attr-defined]
        return ()

    def output_names(self) -> list[str]:
        return [b.name for b in self.blobs if not b.consumers and b.producer is not None]

    def unsupported_layers(self) -> list[Layer]:
        return [layer for layer in self.layers if isinstance(layer, UnknownLayer)]

    def weight_info(self, layer: Layer) -> list[WeightInfo]:
        return [WeightInfo(k, tuple(v.shape), layer.weight_storage.get(k, "fp32")) for k, v in layer.weights.items()]

    def create_extractor(self) -> "Extractor":
        if self.graph is None:
            raise EngineError("load_param() must come before create_extractor()")
        if not self.weights_loaded:
            raise EngineError("load_model() (or load_synthetic_weights()) must come before create_extractor()")
        from .extractor import Extractor
        return Extractor(self, self.opt.copy())
