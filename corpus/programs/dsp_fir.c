/* Fixed-point FIR filtering in Q15: a generic direct-form filter, a 16-tap
 * filter with all coefficients and the whole delay line held in local
 * variables (32+ live values: high register pressure), a 4-output unrolled
 * block filter, decimation by 4, and a windowed-sinc design in integers. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xf1f1f1f1e2e2e2e2ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

static int16_t sat16(int32_t x) { return (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x); }

__attribute__((noinline)) static void fir_generic(const int16_t *x, int n, const int16_t *h, int taps, int16_t *y) {
    for (int i = 0; i < n; i++) {
        int64_t acc = 0;
        for (int k = 0; k < taps; k++) if (i - k >= 0) acc += (int32_t)h[k] * x[i - k];
        y[i] = sat16((int32_t)((acc + (1 << 14)) >> 15));
    }
}

/* 16 coefficients and 16 delay-line samples in locals */
__attribute__((noinline)) static void fir16_regs(const int16_t *x, int n, const int16_t *h, int16_t *y) {
    int32_t c0 = h[0], c1 = h[1], c2 = h[2], c3 = h[3], c4 = h[4], c5 = h[5], c6 = h[6], c7 = h[7];
    int32_t c8 = h[8], c9 = h[9], c10 = h[10], c11 = h[11], c12 = h[12], c13 = h[13], c14 = h[14], c15 = h[15];
    int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
    int32_t d8 = 0, d9 = 0, d10 = 0, d11 = 0, d12 = 0, d13 = 0, d14 = 0, d15 = 0;
    int64_t energy = 0;
    for (int i = 0; i < n; i++) {
        d15 = d14; d14 = d13; d13 = d12; d12 = d11; d11 = d10; d10 = d9; d9 = d8; d8 = d7;
        d7 = d6; d6 = d5; d5 = d4; d4 = d3; d3 = d2; d2 = d1; d1 = d0; d0 = x[i];
        int64_t a = (int64_t)c0 * d0 + (int64_t)c1 * d1 + (int64_t)c2 * d2 + (int64_t)c3 * d3;
        int64_t b = (int64_t)c4 * d4 + (int64_t)c5 * d5 + (int64_t)c6 * d6 + (int64_t)c7 * d7;
        int64_t c = (int64_t)c8 * d8 + (int64_t)c9 * d9 + (int64_t)c10 * d10 + (int64_t)c11 * d11;
        int64_t d = (int64_t)c12 * d12 + (int64_t)c13 * d13 + (int64_t)c14 * d14 + (int64_t)c15 * d15;
        int64_t acc = (a + b) + (c + d);
        int16_t out = sat16((int32_t)((acc + (1 << 14)) >> 15));
        energy += (int32_t)out * out;
        y[i] = out;
    }
    y[n] = (int16_t)(energy & 0x7fff);
}

/* four outputs per iteration, 16 taps: 4 accumulators + window of 19 samples */
__attribute__((noinline)) static void fir16_block4(const int16_t *x, int n, const int16_t *h, int16_t *y) {
    for (int i = 0; i < 15 && i < n; i++) {
        int64_t acc = 0;
        for (int k = 0; k <= i; k++) acc += (int32_t)h[k] * x[i - k];
        y[i] = sat16((int32_t)((acc + (1 << 14)) >> 15));
    }
    int i = 15;
    for (; i + 4 <= n; i += 4) {
        int64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int k = 0; k < 16; k++) {
            int32_t c = h[k];
            a0 += c * x[i - k]; a1 += c * x[i + 1 - k]; a2 += c * x[i + 2 - k]; a3 += c * x[i + 3 - k];
        }
        y[i] = sat16((int32_t)((a0 + (1 << 14)) >> 15)); y[i + 1] = sat16((int32_t)((a1 + (1 << 14)) >> 15));
        y[i + 2] = sat16((int32_t)((a2 + (1 << 14)) >> 15)); y[i + 3] = sat16((int32_t)((a3 + (1 << 14)) >> 15));
    }
    for (; i < n; i++) {
        int64_t acc = 0;
        for (int k = 0; k < 16; k++) acc += (int32_t)h[k] * x[i - k];
        y[i] = sat16((int32_t)((acc + (1 << 14)) >> 15));
    }
}

__attribute__((noinline)) static int decimate4(const int16_t *x, int n, const int16_t *h, int taps, int16_t *y) {
    int o = 0;
    for (int i = 0; i < n; i += 4) {
        int64_t acc = 0;
        for (int k = 0; k < taps && k <= i; k++) acc += (int32_t)h[k] * x[i - k];
        y[o++] = sat16((int32_t)((acc + (1 << 14)) >> 15));
    }
    return o;
}

/* integer sine table generator via the recurrence s[n+1] = 2cos(w)s[n] - s[n-1] in Q30 */
static void design_lowpass(int16_t *h, int taps, int cutoff_q15) {
    /* triangle-windowed box approximation in integers */
    int32_t sum = 0;
    int32_t tmp[64];
    for (int k = 0; k < taps; k++) {
        int m = k - (taps - 1) / 2;
        int32_t win = (taps / 2 + 1) - (m < 0 ? -m : m);
        int32_t v = (m == 0) ? cutoff_q15 : (int32_t)((int64_t)cutoff_q15 * 8 / (8 + m * m));
        tmp[k] = v * win;
        sum += tmp[k];
    }
    for (int k = 0; k < taps; k++) h[k] = (int16_t)((int64_t)tmp[k] * 32767 / sum);
}

int main(void) {
    enum { N = 20000 };
    int16_t *x = malloc(sizeof(int16_t) * N), *y1 = malloc(sizeof(int16_t) * (N + 1)), *y2 = malloc(sizeof(int16_t) * (N + 1)), *y3 = malloc(sizeof(int16_t) * (N + 1));
    /* chirp-ish integer signal: phase accumulator into a parabolic sine approximation + noise */
    uint32_t phase = 0, inc = 1u << 22, s = 55;
    for (int i = 0; i < N; i++) {
        phase += inc; inc += 1u << 12;
        int32_t p = (int32_t)(phase >> 17) - 16384;            /* [-16384, 16383] */
        int32_t tri = p < 0 ? -p : p;                          /* 0..16384 */
        int32_t sine = (int32_t)(((int64_t)(tri - 8192) * (8192 - (tri - 8192 < 0 ? 8192 - tri : tri - 8192) / 2)) >> 11);
        s = s * 1103515245u + 12345u;
        x[i] = sat16(sine * 3 + (int32_t)((s >> 16) % 2001u) - 1000);
    }
    int16_t h[16];
    design_lowpass(h, 16, 6000);
    printf("coeffs:");
    for (int k = 0; k < 16; k++) { printf(" %d", h[k]); ck_add((uint64_t)(uint16_t)h[k]); }
    printf("\n");
    fir_generic(x, N, h, 16, y1);
    fir16_regs(x, N, h, y2);
    fir16_block4(x, N, h, y3);
    int agree = !memcmp(y1, y2, sizeof(int16_t) * N) && !memcmp(y1, y3, sizeof(int16_t) * N);
    int64_t e_in = 0, e_out = 0;
    for (int i = 0; i < N; i++) { e_in += (int32_t)x[i] * x[i]; e_out += (int32_t)y1[i] * y1[i]; }
    printf("fir16: agree=%d energy in=%lld out=%lld tag=%d\n", agree, (long long)e_in, (long long)e_out, y2[N]);
    ck_add((uint64_t)e_in); ck_add((uint64_t)e_out); ck_add((uint64_t)(uint16_t)y2[N]);
    for (int i = 0; i < N; i += 37) ck_add((uint64_t)(uint16_t)y1[i]);
    int16_t h31[31];
    design_lowpass(h31, 31, 3000);
    int nd = decimate4(x, N, h31, 31, y3);
    int64_t ed = 0; for (int i = 0; i < nd; i++) ed += (int32_t)y3[i] * y3[i];
    printf("decimate4(31 taps): outputs=%d energy=%lld\n", nd, (long long)ed);
    ck_add((uint64_t)nd); ck_add((uint64_t)ed);
    /* impulse response reproduces the coefficients */
    memset(x, 0, sizeof(int16_t) * 64); x[0] = 32767;
    fir16_regs(x, 64, h, y2);
    int ir_ok = 1; for (int k = 0; k < 16; k++) if (y2[k] != sat16((int32_t)(((int64_t)h[k] * 32767 + (1 << 14)) >> 15))) ir_ok = 0;
    printf("impulse response ok=%d\n", ir_ok);
    ck_add((uint64_t)ir_ok);
    free(x); free(y1); free(y2); free(y3);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
