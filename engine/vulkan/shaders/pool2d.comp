#version 450
// Windowed max / average pooling of (c, h, w). (bt, bl) = border top/left that ncnn adds; average without
// count_include_pad counts only cells of the bordered image inside [r0, r1) x [c0, c1) (kernels/pooling.py).
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P {
    int w; int h; int c; int outw; int outh; int kw; int kh; int sx; int sy; int bl; int bt;
    int type; int include_pad; int r0; int r1; int c0; int c1;
};

void main() {
    int ox = int(gl_GlobalInvocationID.x);
    int oy = int(gl_GlobalInvocationID.y);
    int ch = int(gl_GlobalInvocationID.z);
    if (ox >= outw || oy >= outh || ch >= c) return;
    int base = ch * h * w;
    float m = -3.402823466e+38;
    float sum = 0.0;
    for (int ky = 0; ky < kh; ky++) {
        int by = oy * sy + ky;  // row in the bordered image
        int iy = by - bt;
        for (int kx = 0; kx < kw; kx++) {
            int bx = ox * sx + kx;
            int ix = bx - bl;
            bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            float v = inside ? x[base + iy * w + ix] : (type == 0 ? -3.402823466e+38 : 0.0);
            if (type == 0) {
                m = max(m, v);
            } else if (include_pad == 1 || (by >= r0 && by < r1 && bx >= c0 && bx < c1)) {
                sum += v;
            }
        }
    }
    float r;
    if (type == 0) {
        r = m;
    } else if (include_pad == 1) {
        r = sum / float(kh * kw);
    } else {
        int y0 = oy * sy, x0 = ox * sx;
        int rows = max(min(y0 + kh, r1) - max(y0, r0), 0);
        int cols = max(min(x0 + kw, c1) - max(x0, c0), 0);
        r = sum / float(rows * cols);
    }
    y[(ch * outh + oy) * outw + ox] = r;
}
