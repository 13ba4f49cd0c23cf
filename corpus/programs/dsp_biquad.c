/* IIR filtering: a cascade of biquad sections in Q14 fixed point (direct
 * form I with 64-bit accumulators and error feedback) and the same cascade in
 * double precision (transposed direct form II); compares the two, measures
 * step responses, and runs a DC-blocker and a one-pole smoother. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

static uint64_t ck = 0xb1b1b1b1c2c2c2c2ULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0x9e3779b97f4a7c15ULL; ck ^= ck >> 31; }

/* Taylor-series cosine/sine so results do not depend on libm */
static double my_sin(double x) {
    double t = x, s = x, x2 = x * x;
    for (int k = 1; k < 14; k++) { t = -t * x2 / (double)((2 * k) * (2 * k + 1)); s += t; }
    return s;
}
static double my_cos(double x) {
    double t = 1, s = 1, x2 = x * x;
    for (int k = 1; k < 14; k++) { t = -t * x2 / (double)((2 * k - 1) * (2 * k)); s += t; }
    return s;
}

struct bq_d { double b0, b1, b2, a1, a2, z1, z2; };
struct bq_q { int32_t b0, b1, b2, a1, a2; int32_t x1, x2, y1, y2; int64_t err; };

static void design_lowpass(double fc, double q, double *b, double *a) {
    const double PI = 3.14159265358979323846;
    double w = 2 * PI * fc, cw = my_cos(w), sw = my_sin(w), alpha = sw / (2 * q);
    double a0 = 1 + alpha;
    b[0] = (1 - cw) / 2 / a0; b[1] = (1 - cw) / a0; b[2] = (1 - cw) / 2 / a0;
    a[0] = -2 * cw / a0; a[1] = (1 - alpha) / a0;
}

__attribute__((noinline)) static double run_double(struct bq_d *s, int ns, double x) {
    for (int k = 0; k < ns; k++) {
        struct bq_d *b = &s[k];
        double y = b->b0 * x + b->z1;
        b->z1 = b->b1 * x - b->a1 * y + b->z2;
        b->z2 = b->b2 * x - b->a2 * y;
        x = y;
    }
    return x;
}

__attribute__((noinline)) static int32_t run_fixed(struct bq_q *s, int ns, int32_t x) {
    for (int k = 0; k < ns; k++) {
        struct bq_q *b = &s[k];
        int64_t acc = (int64_t)b->b0 * x + (int64_t)b->b1 * b->x1 + (int64_t)b->b2 * b->x2
                    - (int64_t)b->a1 * b->y1 - (int64_t)b->a2 * b->y2 + b->err;
        int64_t y = acc / 16384;            /* Q14 -> integer, truncating toward zero */
        b->err = acc - y * 16384;           /* error feedback keeps the remainder */
        if (y > 1000000000) y = 1000000000;
        if (y < -1000000000) y = -1000000000;
        b->x2 = b->x1; b->x1 = x; b->y2 = b->y1; b->y1 = (int32_t)y;
        x = (int32_t)y;
    }
    return x;
}

__attribute__((noinline)) static int32_t dc_block(int32_t *st_x, int32_t *st_y, int32_t x) {
    /* y = x - x1 + 0.995 y1 (Q15) */
    int64_t y = (int64_t)x - *st_x + ((int64_t)*st_y * 32604) / 32768;
    *st_x = x; *st_y = (int32_t)y;
    return (int32_t)y;
}

int main(void) {
    enum { NS = 4 };
    struct bq_d sd[NS];
    struct bq_q sq[NS];
    double fcs[NS] = { 0.05, 0.08, 0.11, 0.2 }, qs[NS] = { 0.54, 0.63, 0.9, 2.5 };
    for (int k = 0; k < NS; k++) {
        double b[3], a[2];
        design_lowpass(fcs[k], qs[k], b, a);
        sd[k] = (struct bq_d){ b[0], b[1], b[2], a[0], a[1], 0, 0 };
        sq[k] = (struct bq_q){ (int32_t)llround(b[0] * 16384), (int32_t)llround(b[1] * 16384), (int32_t)llround(b[2] * 16384),
                               (int32_t)llround(a[0] * 16384), (int32_t)llround(a[1] * 16384), 0, 0, 0, 0, 0 };
        printf("section %d: b=(%d,%d,%d) a=(%d,%d)\n", k, sq[k].b0, sq[k].b1, sq[k].b2, sq[k].a1, sq[k].a2);
        ck_add((uint64_t)(uint32_t)sq[k].b0); ck_add((uint64_t)(uint32_t)sq[k].a1); ck_add((uint64_t)(uint32_t)sq[k].a2);
    }
    uint32_t s = 1;
    int64_t maxdiff = 0, sumsq = 0;
    double dsum = 0;
    for (int i = 0; i < 30000; i++) {
        s = s * 1103515245u + 12345u;
        int32_t x = (int32_t)((s >> 16) % 20001u) - 10000 + ((i / 500) % 2 ? 6000 : -6000);
        double yd = run_double(sd, NS, (double)x);
        int32_t yq = run_fixed(sq, NS, x);
        int64_t d = llround(yd) - yq;
        if (d < 0) d = -d;
        if (d > maxdiff) maxdiff = d;
        sumsq += (int64_t)yq * yq / 1024;
        dsum += yd;
        if (i % 1000 == 999) { ck_add((uint64_t)(uint32_t)yq); ck_add((uint64_t)llround(yd * 16)); }
    }
    printf("noise+square: fixed energy/1024=%lld double sum=%lld maxdiff=%lld\n", (long long)sumsq, (long long)llround(dsum), (long long)maxdiff);
    ck_add((uint64_t)sumsq); ck_add((uint64_t)llround(dsum));
    for (int k = 0; k < NS; k++) { sd[k].z1 = sd[k].z2 = 0; sq[k].x1 = sq[k].x2 = sq[k].y1 = sq[k].y2 = 0; sq[k].err = 0; }
    int32_t peak = 0; int peak_at = 0, settle = -1;
    for (int i = 0; i < 400; i++) {
        int32_t y = run_fixed(sq, NS, 10000);
        if (y > peak) { peak = y; peak_at = i; }
        if (settle < 0 && i > peak_at && y > 9900 && y < 10100 && i > 50) settle = i;
    }
    printf("step response: peak=%d at %d settle~%d\n", peak, peak_at, settle);
    ck_add((uint64_t)peak); ck_add((uint64_t)peak_at); ck_add((uint64_t)(uint32_t)settle);
    int32_t sx = 0, sy = 0; int64_t acc = 0;
    for (int i = 0; i < 5000; i++) { int32_t y = dc_block(&sx, &sy, 3000 + (i % 50 < 25 ? 400 : -400)); acc += y; }
    printf("dc blocker: residual sum=%lld last=%d\n", (long long)acc, sy);
    ck_add((uint64_t)acc); ck_add((uint64_t)(uint32_t)sy);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
