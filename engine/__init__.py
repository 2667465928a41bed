"""Layerscope's inference engine: ncnn models in numpy (and Vulkan). No Qt, no profiling here.

    net = Net(); net.load_param("m.param"); net.load_model("m.bin")
    ex = net.create_extractor(); ex.input("data", chw_array); out = ex.extract("prob")
"""
from __future__ import annotations

from .errors import (
    BlobNotFoundError, EngineError, ExtractionCancelled, LayerRuntimeError, ModelFormatError,
    UnsupportedLayerError,
)
from .extractor import Extractor
from .hooks import LayerEvent
from .net import Net
from .option import Option
from .threads import tune_allocator

tune_allocator()

__all__ = [
    "Net", "Extractor", "Option", "LayerEvent", "EngineError", "ModelFormatError", "UnsupportedLayerError",
    "LayerRuntimeError", "ExtractionCancelled", "BlobNotFoundError",
]
