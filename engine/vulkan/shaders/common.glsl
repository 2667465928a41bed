// Shared helpers. Flat 1-D dispatches may use a second grid dimension past 65535 workgroups.
#define FLT_MAX 3.402823466e+38

uint flat_index() {
    return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

// ncnn's fused activation (param 9 = type, 10 = params), as engine/kernels/activation.py computes it.
float activate(float v, int type, float p0, float p1) {
    if (type == 1) return max(v, 0.0);
    if (type == 2) return v > 0.0 ? v : v * p0;
    if (type == 3) return clamp(v, p0, p1);
    if (type == 4) return 1.0 / (1.0 + exp(-clamp(v, -88.3762626647949, 88.3762626647949)));
    if (type == 5) {
        float sp = max(v, 0.0) + log(1.0 + exp(-abs(v)));
        return v * tanh(min(sp, 15.0));  // naive tanh overflows
    }
    if (type == 6) return v * clamp(v * p0 + p1, 0.0, 1.0);
    return v;
}

// erf as engine/kernels/special.py computes it (same two-piece fit, float32 Horner sums).
float erf_approx(float x) {
    float a = abs(x);
    if (a < 1.0) {
        float t = x * x;
        float r = 7.847259257687256e-05;
        r = r * t - 0.0008008189615793526;
        r = r * t + 0.005188099108636379;
        r = r * t - 0.026853691786527634;
        r = r * t + 0.1128358244895935;
        r = r * t - 0.3761262595653534;
        r = r * t + 0.12837916709551257;
        return r * x + x;
    }
    a = min(a, 4.0);
    float e = exp(-(a * a));
    float s = a - 2.5;
    float b = -3.835798736417928e-07;
    b = b * s + 1.6588418247920345e-06;
    b = b * s - 4.009343228972284e-06;
    b = b * s + 1.4425777408177964e-05;
    b = b * s - 5.8942707255482674e-05;
    b = b * s + 0.00021283204841893166;
    b = b * s - 0.0007337129791267216;
    b = b * s + 0.0024660928174853325;
    b = b * s - 0.008001474663615227;
    b = b * s + 0.024938173592090607;
    b = b * s - 0.0743473619222641;
    b = b * s + 0.21080635488033295;
    float r = 1.0 - e * b;
    return x < 0.0 ? -r : r;
}
