"""Shared numeric kernels (convolution algorithms, activations, int8 helpers)."""
