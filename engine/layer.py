"""The layer contract (modelled on ncnn's layer.h) and declarative params.

A layer file declares its params as class attributes named as in ncnn's docs:

    class Clip(Layer):
        type_name = "Clip"
        min = Param(0, FLOAT, -FLT_MAX)
        max = Param(1, FLOAT, FLT_MAX)

After loading, `self.min` / `self.max` hold the values read from the `.param`. Declaring a
`type_name` registers the class (see registry.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .errors import LayerRuntimeError, ModelFormatError
from .formats.ncnn_bin import WeightReader
from .ir import LayerSpec, ParamDict, ParamTypeError
from .option import Option

INT, FLOAT, INTS, FLOATS, STR = "int", "float", "ints", "floats", "str"
FLT_MAX = float(np.finfo(np.float32).max)


class Param:
    """One ncnn param: its id, how it is read, and its default (or the param it defaults to)."""

    def __init__(self, pid: int, kind: str, default: Any = None, *, same_as: str | None = None) -> None:
        if kind not in (INT, FLOAT, INTS, FLOATS, STR):
            raise ValueError(kind)
        self.pid = pid
        self.kind = kind
        self.default = default if default is not None else {INTS: (), FLOATS: (), STR: ""}.get(kind, 0)
        self.same_as = same_as
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def read(self, pd: ParamDict, layer: "Layer") -> Any:
        default = getattr(layer, self.same_as) if self.same_as else self.default
        getter = {INT: pd.get_int, FLOAT: pd.get_float, INTS: pd.get_ints, FLOATS: pd.get_floats,
                  STR: pd.get_str}[self.kind]
        return getter(self.pid, default)


@dataclass(frozen=True)
class ParamInfo:
    """A param as a viewer shows it: ncnn id and name, the value in effect, and whether it is the default."""

    pid: int
    name: str
    value: Any
    is_default: bool


class Layer:
    type_name: ClassVar[str] = ""
    backend: ClassVar[str] = "cpu"
    one_blob_only: ClassVar[bool] = True
    declared_params: ClassVar[tuple[Param, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [v for v in cls.__dict__.values() if isinstance(v, Param)]
        inherited = [p for p in cls.declared_params if p.name not in {q.name for q in own}]
        cls.declared_params = tuple(inherited + own)
        if "type_name" in cls.__dict__ and cls.type_name:
            from .registry import register
            register(cls)

    def __init__(self, spec: LayerSpec) -> None:
        self.spec = spec
        self.name = spec.name
        # Weights in ncnn's load order, with how each was stored (fp32/fp16/int8/codebook) and whether
        # it was a tagged (ncnn type 0) chunk: enough to write the .bin back (int8 export).
        self.weights: dict[str, np.ndarray] = {}
        self.weight_storage: dict[str, str] = {}
        self.weight_tagged: dict[str, bool] = {}
        for p in self.declared_params:
            try:
                setattr(self, p.name, p.read(spec.params, self))
            except ParamTypeError as e:
                raise self.param_error(f"param {p.pid} ({p.name}) {e}") from e
        self.check_params()

    # -- the contract ------------------------------------------------------------------------
    def check_params(self) -> None:
        """Validate params after loading; raise self.param_error(...) to refuse the model."""

    def load_model(self, reader: WeightReader) -> None:
        """Read this layer's weights, in ncnn's order, with self.load_weight()."""

    def create_pipeline(self, opt: Option) -> None:
        """Prepare derived data (reshaped or packed weights) once, after load_model."""

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if len(bottoms) != 1:
            raise self.runtime_error(f"expects 1 input blob, got {len(bottoms)}", bottoms)
        return [self.forward_one(bottoms[0], opt)]

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        raise NotImplementedError(type(self).__name__)

    # -- helpers ------------------------------------------------------------------------------
    def load_weight(self, reader: WeightReader, what: str, count: int, tagged: bool,
                    shape: tuple[int, ...] | None = None) -> np.ndarray:
        array, storage = reader.load(int(count), tagged, what, self.name)
        if shape is not None:
            array = array.reshape(shape)
        self.weights[what] = array
        self.weight_storage[what] = storage
        self.weight_tagged[what] = tagged
        return array

    def param_error(self, message: str) -> ModelFormatError:
        return ModelFormatError(f"{self.type_name or self.spec.type}: {message}", line=self.spec.line,
                                layer=self.name)

    def runtime_error(self, message: str, bottoms: list[np.ndarray] | None = None) -> LayerRuntimeError:
        shapes = "" if bottoms is None else " (input shapes " + ", ".join(str(b.shape) for b in bottoms) + ")"
        return LayerRuntimeError(f"layer '{self.name}' ({self.spec.type}): {message}{shapes}")

    def param_values(self) -> list[ParamInfo]:
        out = []
        for p in self.declared_params:
            out.append(ParamInfo(p.pid, p.name, getattr(self, p.name), p.pid not in self.spec.params))
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.name}'>"


class UnknownLayer(Layer):
    """A type the engine cannot run: it stays in the graph for viewing; running it raises."""

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        from .errors import UnsupportedLayerError
        raise UnsupportedLayerError(
            f"layer '{self.name}' has type '{self.spec.type}', which Layerscope cannot run"
            + (f" (line {self.spec.line})" if self.spec.line else ""))
