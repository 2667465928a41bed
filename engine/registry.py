"""Layer type name -> implementing class, per backend. Classes register by declaring `type_name`."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ir import LayerSpec
    from .layer import Layer

_REGISTRY: dict[tuple[str, str], "type[Layer]"] = {}
_LOADED = False


def register(cls: "type[Layer]") -> "type[Layer]":
    key = (cls.backend, cls.type_name)
    if key in _REGISTRY and _REGISTRY[key] is not cls:
        raise RuntimeError(f"layer type {cls.type_name} registered twice for backend {cls.backend}")
    _REGISTRY[key] = cls
    return cls


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        from . import layers  # noqa: F401  (imports every layer module, which registers it)
        _LOADED = True


def layer_class(type_name: str, backend: str = "cpu") -> "type[Layer] | None":
    _ensure_loaded()
    return _REGISTRY.get((backend, type_name))


def supported_types(backend: str = "cpu") -> list[str]:
    _ensure_loaded()
    return sorted(t for (b, t) in _REGISTRY if b == backend)


def create_layer(spec: "LayerSpec") -> "Layer":
    from .layer import UnknownLayer
    cls = layer_class(spec.type) or UnknownLayer
    return cls(spec)
