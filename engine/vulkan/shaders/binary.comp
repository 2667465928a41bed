#version 450
// y = a (op) b over a 4-D output; a and b are read with their own strides (0 on broadcast axes), which
// the host derives from ncnn's broadcasting rule (kernels/binary_unary.ncnn_broadcast_shape).
// with_scalar: b is the push constant `scalar` (bstride all 0 and `use_scalar` 1).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P {
    int n; int op; int d1; int d2; int d3;
    int sa0; int sa1; int sa2; int sa3; int sb0; int sb1; int sb2; int sb3; int use_scalar; float scalar;
};

float fmod_trunc(float x, float q) { return x - trunc(x / q) * q; }
float floor_div(float x, float q) { return floor(x / q); }
float ieee_rem(float x, float q) { return x - roundEven(x / q) * q; }

void main() {
    uint i = flat_index();
    if (i >= uint(n)) return;
    int r = int(i);
    int i3 = r % d3; r /= d3;
    int i2 = r % d2; r /= d2;
    int i1 = r % d1;
    int i0 = r / d1;
    float x = a[i0 * sa0 + i1 * sa1 + i2 * sa2 + i3 * sa3];
    float z = use_scalar == 1 ? scalar : b[i0 * sb0 + i1 * sb1 + i2 * sb2 + i3 * sb3];
    float v;
    if (op == 0) v = x + z;
    else if (op == 1) v = x - z;
    else if (op == 2) v = x * z;
    else if (op == 3) v = x / z;
    else if (op == 4) v = max(x, z);
    else if (op == 5) v = min(x, z);
    else if (op == 7) v = z - x;
    else if (op == 8) v = z / x;
    else if (op == 12) v = fmod_trunc(x, z);
    else if (op == 13) v = fmod_trunc(z, x);
    else if (op == 14) { float hi = max(x, z); v = hi + log(1.0 + exp(min(x, z) - hi)); }
    else if (op == 15) v = floor_div(x, z);
    else if (op == 16) v = floor_div(z, x);
    else if (op == 17) v = ieee_rem(x, z);
    else if (op == 18) v = ieee_rem(z, x);
    else v = 0.0;
    y[i] = v;
}
