#version 450
// Separable resize of (c, h, w) to (c, outh, outw) with per-axis tap tables made on the host by the numpy
// layer's functions (kernels/interp.py): nearest (1 tap, weight 1), bilinear (2), bicubic (4).
// idx = [x taps (outw*tx) | y taps (outh*ty)], wt likewise. Rows first, then columns, as ncnn does.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer Idx { int idx[]; };
layout(std430, binding = 2) readonly buffer Wt { float wt[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int w; int h; int c; int outw; int outh; int tx; int ty; };

void main() {
    int ox = int(gl_GlobalInvocationID.x);
    int oy = int(gl_GlobalInvocationID.y);
    int ch = int(gl_GlobalInvocationID.z);
    if (ox >= outw || oy >= outh || ch >= c) return;
    int ybase = outw * tx;
    float acc = 0.0;
    for (int j = 0; j < ty; j++) {
        int iy = idx[ybase + oy * ty + j];
        int row = (ch * h + iy) * w;
        float r = 0.0;
        for (int i = 0; i < tx; i++) {
            r += x[row + idx[ox * tx + i]] * wt[ox * tx + i];
        }
        acc += r * wt[ybase + oy * ty + j];
    }
    y[(ch * outh + oy) * outw + ox] = acc;
}
