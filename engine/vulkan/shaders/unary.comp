#version 450
// Element-wise activations and UnaryOp; op codes in engine/vulkan/layers/activation.py (a, b, c: params).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int n; int op; float a; float b; float c; };

float nan_value() { return uintBitsToFloat(0x7fc00000u); }

float activation(float v) {
    if (op == 0) return v < 0.0 ? v * a : v;                          // ReLU (leaky)
    if (op == 1) return min(max(v, a), b);                            // Clip
    if (op == 2) return activate(v, 4, 0.0, 0.0);                     // Sigmoid
    if (op == 3) return tanh(clamp(v, -15.0, 15.0));                  // TanH (naive tanh overflows)
    if (op == 4) return clamp(v * a + b, 0.0, 1.0);                   // HardSigmoid
    if (op == 5) return activate(v, 6, a, b);                         // HardSwish
    if (op == 6) return v / (1.0 + exp(-v));                          // Swish
    if (op == 7) return activate(v, 5, 0.0, 0.0);                     // Mish
    if (op == 8) return max(v, 0.0) + a * (exp(min(v, 0.0)) - 1.0);   // ELU
    if (op == 9) return abs(v);                                       // AbsVal
    if (op == 10) return v * a + b;                                   // scale by a scalar (Dropout)
    if (op == 11) return (max(v, 0.0) + a * (exp(min(v, 0.0)) - 1.0)) * b;  // SELU
    if (op == 12) return log(exp(v) + 1.0);                           // Softplus (no threshold, as ncnn)
    if (op == 13) return log(exp(-abs(v)) + 1.0) + max(v, 0.0);       // BNLL
    if (op == 14) { float z = v * a + b; return c < 0.0 ? exp(z) : exp2(z * log2(c)); }  // Exp
    if (op == 15) { float z = log(v * a + b); return c != 0.0 ? z * c : z; }             // Log
    if (op == 16) return v > a ? 1.0 : 0.0;                           // Threshold
    if (op == 17) return (erf_approx(v * 0.70710678) + 1.0) * v * 0.5;                   // GELU
    if (op == 18) {                                                   // GELU, tanh form
        float t = tanh(clamp((v * v * v * 0.044715 + v) * 0.79788452, -15.0, 15.0));
        return (t + 1.0) * v * 0.5;
    }
    if (op == 19) return erf_approx(v);                               // Erf
    if (op == 20) {                                                   // Power, c > 0
        float z = v * a + b;
        if (c == 1.0) return z;
        float r = pow(abs(z), c);
        if (z < 0.0) return fract(c) != 0.0 ? nan_value() : (mod(c, 2.0) == 1.0 ? -r : r);
        return r;
    }
    // UnaryOp (30 + ncnn's op_type)
    if (op == 30) return abs(v);
    if (op == 31) return -v;
    if (op == 32) return floor(v);
    if (op == 33) return ceil(v);
    if (op == 34) return v * v;
    if (op == 35) return sqrt(v);
    if (op == 36) return 1.0 / sqrt(v);
    if (op == 37) return exp(v);
    if (op == 38) return log(v);
    if (op == 45) return 1.0 / v;
    if (op == 46) return tanh(clamp(v, -15.0, 15.0));
    if (op == 48) return roundEven(v);
    if (op == 49) return trunc(v);
    if (op == 50) return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0);
    return v;
}

void main() {
    uint i = flat_index();
    if (i >= uint(n)) return;
    y[i] = activation(x[i]);
}
