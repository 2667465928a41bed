"""Layer type name -> implementing class, per backend. Classes register by declaring `type_name`."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ir import LayerSpec
    from .layer import Layer

_REGISTRY: dict[tuple[str, str], "type[Layer]"] = {}
_LOADED: set[str] = set()


def register(cls: "type[Layer]") -> "type[Layer]":
    key = (cls.backend, cls.type_name)
    if key in _REGISTRY and _REGISTRY[key] is not cls:
        raise RuntimeError(f"layer type {cls.type_name} registered twice for backend {cls.backend}")
    _REGISTRY[key] = cls
    return cls


def _ensure_loaded(backend: str = "cpu") -> None:
    if backend not in _LOADED:
        from . import layers  # noqa: F401  (imports every layer module, which registers it)
        if backend == "vulkan":
            from .vulkan import layers as vulkan_layers  # noqa: F401  (no GPU needed to import)
        _LOADED.add(backend)


def layer_class(type_name: str, backend: str = "cpu") -> "type[Layer] | None":
    _ensure_loaded(backend)
    return _REGISTRY.get((backend, type_name))


def supported_types(backend: str = "cpu") -> list[str]:
    _ensure_loaded(backend)
    return sorted(t for (b, t) in _REGISTRY if b == backend)


def create_layer(spec: "LayerSpec") -> "Layer":
    from .layer import UnknownLayer
    cls = layer_class(spec.type) or UnknownLayer
    return cls(spec)
