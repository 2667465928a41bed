"""Fused activations (param 9=activation_type, 10=activation_params), ncnn's fused_activation.h."""
from __future__ import annotations

from typing import Sequence

import numpy as np

SIGMOID_CLAMP = np.float32(88.3762626647949)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """ncnn's sigmoid: input clamped to ±88.376 before exp, float32 throughout."""
    t = np.clip(x, -SIGMOID_CLAMP, SIGMOID_CLAMP)
    np.negative(t, out=t)
    np.exp(t, out=t)
    t += np.float32(1)
    return np.reciprocal(t, out=t)


def mish(x: np.ndarray) -> np.ndarray:
    # softplus as max(x,0) + log1p(exp(-|x|)): the same values as log(exp(x)+1) without overflow,
    # and ~15x faster than np.logaddexp
    t = np.abs(x)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(x, np.float32(0))
    np.tanh(t, out=t)
    t *= x
    return t


def hardswish(x: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    # x * clamp(alpha*x + beta, 0, 1): the form ncnn's x86 code computes (the pip ncnn we match)
    t = x * np.float32(alpha)
    t += np.float32(beta)
    np.clip(t, np.float32(0), np.float32(1), out=t)
    t *= x
    return t


def apply_activation(y: np.ndarray, activation_type: int, params: Sequence[float]) -> np.ndarray:
    """Apply in place where possible; `y` must be a fresh float32 array owned by the caller."""
    if activation_type == 0:
        return y
    if activation_type == 1:
        return np.maximum(y, np.float32(0), out=y)
    if activation_type == 2:
        slope = np.float32(params[0] if params else 0.0)
        return np.where(y > 0, y, y * slope).astype(np.float32, copy=False)
    if activation_type == 3:
        lo = np.float32(params[0] if len(params) > 0 else -np.finfo(np.float32).max)
        hi = np.float32(params[1] if len(params) > 1 else np.finfo(np.float32).max)
        return np.clip(y, lo, hi, out=y)
    if activation_type == 4:
        return sigmoid(y)
    if activation_type == 5:
        return mish(y).astype(np.float32, copy=False)
    if activation_type == 6:
        alpha = params[0] if len(params) > 0 else 0.2
        beta = params[1] if len(params) > 1 else 0.5
        return hardswish(y, alpha, beta)
    raise ValueError(f"unknown fused activation_type {activation_type}")
