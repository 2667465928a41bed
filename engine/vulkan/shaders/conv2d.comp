#version 450
// Grouped 2-D convolution. Each invocation computes a 4x4 block: 4 consecutive output columns of up to
// 4 output channels (register blocking: 16 multiply-adds per 4 input and 4 weight loads when the channels
// share a group; depthwise-like layers take the per-channel path). Input (c, h, w); weights
// (out, in/g, kh, kw); pads resolved on the host; taps outside the input read pad_value; bias and fused
// activation (param 9/10) applied at the end.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer W { float wt[]; };
layout(std430, binding = 2) readonly buffer B { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P {
    int w; int h; int c; int outw; int outh; int outc;
    int kw; int kh; int sx; int sy; int dx; int dy; int pad_left; int pad_top;
    int group; int has_bias; int act; float a0; float a1; float pad_value;
};

float tap(int xc, int iy, int ix) {
    return (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[xc + iy * w + ix] : pad_value;
}

void main() {
    int ox0 = int(gl_GlobalInvocationID.x) * 4;
    int oy = int(gl_GlobalInvocationID.y);
    int oc0 = int(gl_GlobalInvocationID.z) * 4;
    if (ox0 >= outw || oy >= outh || oc0 >= outc) return;
    int cin_g = c / group;
    int cout_g = outc / group;
    int ksize = cin_g * kh * kw;
    int n = min(4, outc - oc0);
    int g0 = oc0 / cout_g;
    mat4 acc = mat4(0.0);  // acc[p][k]: output column ox0 + p, channel oc0 + k
    int step = 4 * sx;
    if ((oc0 + n - 1) / cout_g == g0) {
        ivec4 wb = ivec4(oc0, min(oc0 + 1, outc - 1), min(oc0 + 2, outc - 1), min(oc0 + 3, outc - 1)) * ksize;
        for (int ic = 0; ic < cin_g; ic++) {
            int xc = (g0 * cin_g + ic) * h * w;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sy + ky * dy - pad_top;
                for (int kx = 0; kx < kw; kx++) {
                    int ix = ox0 * sx + kx * dx - pad_left;
                    int o = (ic * kh + ky) * kw + kx;
                    vec4 wv = vec4(wt[wb.x + o], wt[wb.y + o], wt[wb.z + o], wt[wb.w + o]);
                    acc[0] += tap(xc, iy, ix) * wv;
                    acc[1] += tap(xc, iy, ix + sx) * wv;
                    acc[2] += tap(xc, iy, ix + 2 * sx) * wv;
                    acc[3] += tap(xc, iy, ix + 3 * sx) * wv;
                }
            }
        }
    } else {  // channels of different groups (depthwise-like): one at a time
        for (int k = 0; k < n; k++) {
            int oc = oc0 + k;
            int g = oc / cout_g;
            vec4 sum = vec4(0.0);
            for (int ic = 0; ic < cin_g; ic++) {
                int xc = (g * cin_g + ic) * h * w;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * sy + ky * dy - pad_top;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox0 * sx + kx * dx - pad_left;
                        float wk = wt[oc * ksize + (ic * kh + ky) * kw + kx];
                        sum += vec4(tap(xc, iy, ix), tap(xc, iy, ix + sx), tap(xc, iy, ix + 2 * sx),
                                    tap(xc, iy, ix + 3 * sx)) * wk;
                    }
                }
            }
            for (int p = 0; p < 4; p++) acc[p][k] = sum[p];
        }
    }
    int cols = min(4, outw - ox0);
    for (int k = 0; k < n; k++) {
        int oc = oc0 + k;
        float b = has_bias == 1 ? bias[oc] : 0.0;
        int row = (oc * outh + oy) * outw + ox0;
        for (int p = 0; p < cols; p++) y[row + p] = activate(acc[p][k] + b, act, a0, a1);
    }
}
