#version 450
// Transposed convolution, gathered per output cell of the cropped map: full-map cell (fy, fx) =
// (oy + crop_top, ox + crop_left) receives x[ic, iy, ix] * w[oc, ic, ky, kx] wherever
// fy = iy*sy + ky*dy and fx = ix*sx + kx*dx. Weights (out, in/g, kh, kw); bias; fused activation.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer W { float wt[]; };
layout(std430, binding = 2) readonly buffer B { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P {
    int w; int h; int c; int outw; int outh; int outc; int kw; int kh; int sx; int sy; int dx; int dy;
    int crop_left; int crop_top; int group; int has_bias; int act; float a0; float a1;
};

void main() {
    int ox = int(gl_GlobalInvocationID.x);
    int oy = int(gl_GlobalInvocationID.y);
    int oc = int(gl_GlobalInvocationID.z);
    if (ox >= outw || oy >= outh || oc >= outc) return;
    int cin_g = c / group, cout_g = outc / group;
    int g = oc / cout_g;
    int fy = oy + crop_top, fx = ox + crop_left;
    float sum = 0.0;
    for (int ky = 0; ky < kh; ky++) {
        int ty = fy - ky * dy;
        if (ty < 0 || ty % sy != 0) continue;
        int iy = ty / sy;
        if (iy >= h) continue;
        for (int kx = 0; kx < kw; kx++) {
            int tx = fx - kx * dx;
            if (tx < 0 || tx % sx != 0) continue;
            int ix = tx / sx;
            if (ix >= w) continue;
            for (int ic = 0; ic < cin_g; ic++) {
                sum += x[((g * cin_g + ic) * h + iy) * w + ix] * wt[((oc * cin_g + ic) * kh + ky) * kw + kx];
            }
        }
    }
    if (has_bias == 1) sum += bias[oc];
    y[(oc * outh + oy) * outw + ox] = activate(sum, act, a0, a1);
}
