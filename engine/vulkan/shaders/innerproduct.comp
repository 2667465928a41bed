#version 450
// y[r, o] = act(sum_k x[r, k] * w[o, k] + b[o]) for R rows (R = 1: a flattened blob).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer W { float wt[]; };
layout(std430, binding = 2) readonly buffer B { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int rows; int outn; int k; int has_bias; int act; float a0; float a1; };

void main() {
    int o = int(gl_GlobalInvocationID.x);
    int r = int(gl_GlobalInvocationID.y);
    if (o >= outn || r >= rows) return;
    float sum = 0.0;
    int xb = r * k, wb = o * k;
    for (int i = 0; i < k; i++) sum += x[xb + i] * wt[wb + i];
    if (has_bias == 1) sum += bias[o];
    y[r * outn + o] = activate(sum, act, a0, a1);
}
