/* Many small non-inlined functions composed into pipelines: a loop that calls
 * several of them per iteration while ~24 integer and floating values remain
 * live across the calls (high register pressure around call sites), functions
 * with 10-14 parameters (stack-passed arguments), struct returns, and
 * function-pointer dispatch tables. */
#include <stdio.h>
#include <stdint.h>
#include <math.h>

static uint64_t ck = 0xca11ca11ca11ca11ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

#define NI __attribute__((noinline))
NI static uint32_t f_rot(uint32_t x) { return (x << 7) | (x >> 25); }
NI static uint32_t f_mix(uint32_t x, uint32_t y) { return (x ^ y) * 0x9e3779b1u; }
NI static uint32_t f_sq(uint32_t x) { return x * x + 1; }
NI static uint32_t f_sel(uint32_t x, uint32_t a, uint32_t b) { return (x & 1) ? a : b; }
NI static uint32_t f_pop(uint32_t x) { uint32_t c = 0; while (x) { x &= x - 1; c++; } return c; }
NI static uint32_t f_rev(uint32_t x) { uint32_t r = 0; for (int i = 0; i < 32; i++) { r = r << 1 | (x & 1); x >>= 1; } return r; }
NI static double g_lerp(double a, double b, double t) { return a + (b - a) * t; }
NI static double g_poly(double x) { return ((0.5 * x - 1.25) * x + 2.0) * x - 0.75; }
NI static double g_clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }
NI static int64_t h_madd(int64_t a, int64_t b, int64_t c) { return a * (b & 0xffff) + c; }

NI static uint64_t wide12(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f,
                          uint32_t g, uint32_t h, uint32_t i, uint32_t j, uint32_t k, uint32_t l) {
    return (uint64_t)a * 1 + (uint64_t)b * 3 + (uint64_t)c * 5 + (uint64_t)d * 7 + (uint64_t)e * 11 + (uint64_t)f * 13 +
           (uint64_t)g * 17 + (uint64_t)h * 19 + (uint64_t)i * 23 + (uint64_t)j * 29 + (uint64_t)k * 31 + (uint64_t)l * 37;
}
NI static double wide_mixed(double a, uint32_t b, double c, uint32_t d, double e, uint32_t f, double g, uint32_t h,
                            double i, uint32_t j, double k, uint32_t l, double m, uint32_t n) {
    return a * b + c * d - e * f + g * h - i * j + k * l - m * n;
}

struct vec4 { int32_t x, y, z, w; };
NI static struct vec4 v_add(struct vec4 a, struct vec4 b) { return (struct vec4){ a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w }; }
NI static struct vec4 v_cross_ish(struct vec4 a, struct vec4 b) {
    return (struct vec4){ (a.y * b.z - a.z * b.y + a.x + 3) % 10007, (a.z * b.x - a.x * b.z + a.y + 5) % 10007, (a.x * b.y - a.y * b.x + a.z + 7) % 10007, (a.w ^ b.w) & 0xffff };
}

typedef uint32_t (*u1)(uint32_t);
static u1 table1[] = { f_rot, f_sq, f_pop, f_rev };

/* the hot loop: many values live across every call */
NI static uint64_t pipeline(int iters, double *fout) {
    uint32_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9, j = 10, k = 11, l = 12;
    double p = 0.1, q = 0.2, r = 0.3, s = 0.4, t = 0.5, u = 0.6, v = 0.7, w = 0.8, x = 0.9, y = 1.0, z = 1.1, o = 1.2;
    for (int n = 0; n < iters; n++) {
        uint32_t m = f_mix(a + (uint32_t)n, l);
        a += f_rot(m); b ^= m; c += a >> 3; d = d * 3 + b;
        double gp = g_poly(p);
        e += f_sq(c) >> 5; f ^= e; g += f_sel(m, d, e); h = h * 5 + g;
        p = g_clamp(gp, -2.0, 2.0); q = g_lerp(q, p, 0.25); r += q * 0.01; s -= r * 0.001;
        i += f_pop(h) + table1[n & 3](i); j ^= i << 1; k += j >> 2; l = l * 7 + k;
        t = g_lerp(t, s, 0.5); u += t * t * 0.001; v = g_clamp(v + u * 0.01, -5.0, 5.0); w -= v * 0.002;
        x += (double)(a & 255) * 0.0001; y = g_lerp(y, x, 0.125); z += y * 0.0005; o = g_clamp(o - z * 0.0003, -3.0, 3.0);
    }
    *fout = p + q + r + s + t + u + v + w + x + y + z + o;
    return (uint64_t)a ^ ((uint64_t)b << 1) ^ ((uint64_t)c << 2) ^ ((uint64_t)d << 3) ^ ((uint64_t)e << 4) ^ ((uint64_t)f << 5) ^
           ((uint64_t)g << 6) ^ ((uint64_t)h << 7) ^ ((uint64_t)i << 8) ^ ((uint64_t)j << 9) ^ ((uint64_t)k << 10) ^ ((uint64_t)l << 11);
}

NI static uint64_t deep(int depth, uint32_t x, uint64_t acc) {
    if (depth == 0) return acc ^ x;
    uint32_t y = table1[depth & 3](x) + (uint32_t)depth;
    uint64_t r = deep(depth - 1, y, acc * 31 + y);
    return r + (uint64_t)f_mix(y, (uint32_t)r);
}

int main(void) {
    double fo;
    uint64_t r = pipeline(40000, &fo);
    printf("pipeline: %016llx f*1e6=%lld\n", (unsigned long long)r, (long long)llround(fo * 1e6));
    ck_add(r); ck_add((uint64_t)llround(fo * 1e6));
    uint64_t w = 0;
    for (uint32_t n = 0; n < 20000; n++) w += wide12(n, n * 3, n ^ 5, n + 7, n * n, n >> 1, n | 9, n & 0xff, ~n, n * 11, n + n, 99u - n);
    printf("wide12 sum=%016llx\n", (unsigned long long)w);
    ck_add(w);
    double wm = 0;
    for (uint32_t n = 0; n < 5000; n++) wm += wide_mixed(n * 0.5, n & 7, 1.5, n & 3, 0.25, n % 5, 2.0, n % 11, 0.125, n & 1, 3.0, n % 3, 0.5, n % 13);
    printf("wide_mixed sum*1000=%lld\n", (long long)llround(wm * 1000));
    ck_add((uint64_t)llround(wm * 1000));
    struct vec4 acc = { 1, 2, 3, 4 };
    for (int n = 0; n < 10000; n++) { struct vec4 dlt = { n % 17 - 8, n % 13 - 6, n % 11 - 5, n }; acc = v_cross_ish(v_add(acc, dlt), dlt); }
    printf("vec4: %d %d %d %d\n", acc.x, acc.y, acc.z, acc.w);
    ck_add((uint64_t)(uint32_t)acc.x); ck_add((uint64_t)(uint32_t)acc.y); ck_add((uint64_t)(uint32_t)acc.z); ck_add((uint64_t)(uint32_t)acc.w);
    uint64_t dp = 0;
    for (int n = 0; n < 200; n++) dp ^= deep(200, (uint32_t)n, (uint64_t)n);
    printf("deep recursion: %016llx\n", (unsigned long long)dp);
    ck_add(dp);
    int64_t ma = 1;
    for (int n = 0; n < 10000; n++) ma = h_madd(ma % 1000003, n, n * 7);
    printf("madd=%lld\n", (long long)ma);
    ck_add((uint64_t)ma);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
