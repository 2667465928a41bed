#version 450
// Per-channel affine, ch = the outermost axis (plane = elements per slice):
// mode 0 x*s, 1 x*s + b rounded twice (Scale), 2 fma(x, s, b) rounded once (BatchNorm, as ncnn's x86 code),
// 3 x + b (Bias; plane = n puts every value in channel 0).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer S { float s[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int n; int plane; int mode; };

void main() {
    uint i = flat_index();
    if (i >= uint(n)) return;
    uint ch = i / uint(plane);
    precise float v = x[i] * s[ch];
    if (mode == 1) v = v + b[ch];
    else if (mode == 2) v = fma(x[i], s[ch], b[ch]);
    else if (mode == 3) v = x[i] + b[ch];
    y[i] = v;
}
