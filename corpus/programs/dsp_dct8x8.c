/* 8x8 two-dimensional DCT-II and inverse in fixed point, as used by image
 * codecs. The 1-D transforms are fully unrolled with all eight inputs and
 * eight outputs in locals; a "pair" variant transforms two rows at once
 * (32+ live values: high register pressure). Includes quantisation,
 * zig-zag scan, and a reconstruction error check. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0xdc7dc7dc7dc7ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck += ck >> 21; }

/* C[k][n] = round(4096 * c(k) * cos((2n+1)k*pi/16)), c(0)=sqrt(1/8), c(k)=sqrt(2/8) */
static int32_t C[8][8];

static double t_cos(double x) { double t = 1, s = 1, x2 = x * x; for (int k = 1; k < 18; k++) { t = -t * x2 / (double)((2 * k - 1) * (2 * k)); s += t; } return s; }
static double t_sqrt(double v) { double x = v > 1 ? v : 1; for (int i = 0; i < 60; i++) x = 0.5 * (x + v / x); return x; }

__attribute__((noinline)) static void init_table(void) {
    const double PI = 3.14159265358979323846;
    for (int k = 0; k < 8; k++)
        for (int n = 0; n < 8; n++) {
            double ang = (double)((2 * n + 1) * k % 32) * PI / 16.0;
            if (ang > PI) ang -= 2 * PI;
            double ck_ = k == 0 ? t_sqrt(1.0 / 8.0) : t_sqrt(2.0 / 8.0);
            double v = 4096.0 * ck_ * t_cos(ang);
            C[k][n] = (int32_t)(v < 0 ? -(int64_t)(-v + 0.5) : (int64_t)(v + 0.5));
        }
}

static int32_t rshift_round(int64_t v, int sh) { /* symmetric rounding, avoids shifting negatives */
    int64_t h = (int64_t)1 << (sh - 1), d = (int64_t)1 << sh;
    return (int32_t)(v >= 0 ? (v + h) / d : -((-v + h) / d));
}

#define DOT8(k, a0, a1, a2, a3, a4, a5, a6, a7) \
    ((int64_t)C[k][0] * a0 + (int64_t)C[k][1] * a1 + (int64_t)C[k][2] * a2 + (int64_t)C[k][3] * a3 + \
     (int64_t)C[k][4] * a4 + (int64_t)C[k][5] * a5 + (int64_t)C[k][6] * a6 + (int64_t)C[k][7] * a7)

/* forward 1-D on two vectors at once */
__attribute__((noinline)) static void fdct_pair(const int32_t *x, const int32_t *y, int32_t *X, int32_t *Y, int sh) {
    int32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
    int32_t y0 = y[0], y1 = y[1], y2 = y[2], y3 = y[3], y4 = y[4], y5 = y[5], y6 = y[6], y7 = y[7];
    int64_t X0 = DOT8(0, x0, x1, x2, x3, x4, x5, x6, x7), Y0 = DOT8(0, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X1 = DOT8(1, x0, x1, x2, x3, x4, x5, x6, x7), Y1 = DOT8(1, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X2 = DOT8(2, x0, x1, x2, x3, x4, x5, x6, x7), Y2 = DOT8(2, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X3 = DOT8(3, x0, x1, x2, x3, x4, x5, x6, x7), Y3 = DOT8(3, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X4 = DOT8(4, x0, x1, x2, x3, x4, x5, x6, x7), Y4 = DOT8(4, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X5 = DOT8(5, x0, x1, x2, x3, x4, x5, x6, x7), Y5 = DOT8(5, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X6 = DOT8(6, x0, x1, x2, x3, x4, x5, x6, x7), Y6 = DOT8(6, y0, y1, y2, y3, y4, y5, y6, y7);
    int64_t X7 = DOT8(7, x0, x1, x2, x3, x4, x5, x6, x7), Y7 = DOT8(7, y0, y1, y2, y3, y4, y5, y6, y7);
    X[0] = rshift_round(X0, sh); X[1] = rshift_round(X1, sh); X[2] = rshift_round(X2, sh); X[3] = rshift_round(X3, sh);
    X[4] = rshift_round(X4, sh); X[5] = rshift_round(X5, sh); X[6] = rshift_round(X6, sh); X[7] = rshift_round(X7, sh);
    Y[0] = rshift_round(Y0, sh); Y[1] = rshift_round(Y1, sh); Y[2] = rshift_round(Y2, sh); Y[3] = rshift_round(Y3, sh);
    Y[4] = rshift_round(Y4, sh); Y[5] = rshift_round(Y5, sh); Y[6] = rshift_round(Y6, sh); Y[7] = rshift_round(Y7, sh);
}

/* inverse 1-D: x[n] = sum_k C[k][n] X[k] */
__attribute__((noinline)) static void idct1(const int32_t *X, int32_t *x, int sh) {
    int64_t X0 = X[0], X1 = X[1], X2 = X[2], X3 = X[3], X4 = X[4], X5 = X[5], X6 = X[6], X7 = X[7];
    for (int n = 0; n < 8; n++) {
        int64_t v = C[0][n] * X0 + C[1][n] * X1 + C[2][n] * X2 + C[3][n] * X3 + C[4][n] * X4 + C[5][n] * X5 + C[6][n] * X6 + C[7][n] * X7;
        x[n] = rshift_round(v, sh);
    }
}

__attribute__((noinline)) static void fdct2d(const int32_t in[64], int32_t out[64]) {
    int32_t tmp[64], col[8], col2[8], r[8], r2[8];
    for (int i = 0; i < 8; i += 2) fdct_pair(in + 8 * i, in + 8 * i + 8, tmp + 8 * i, tmp + 8 * i + 8, 12);
    for (int j = 0; j < 8; j += 2) {
        for (int i = 0; i < 8; i++) { col[i] = tmp[8 * i + j]; col2[i] = tmp[8 * i + j + 1]; }
        fdct_pair(col, col2, r, r2, 12);
        for (int i = 0; i < 8; i++) { out[8 * i + j] = r[i]; out[8 * i + j + 1] = r2[i]; }
    }
}

__attribute__((noinline)) static void idct2d(const int32_t in[64], int32_t out[64]) {
    int32_t tmp[64], col[8], r[8];
    for (int i = 0; i < 8; i++) idct1(in + 8 * i, tmp + 8 * i, 12);
    for (int j = 0; j < 8; j++) {
        for (int i = 0; i < 8; i++) col[i] = tmp[8 * i + j];
        idct1(col, r, 12);
        for (int i = 0; i < 8; i++) out[8 * i + j] = r[i];
    }
}

static const uint8_t QT[64] = {
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99 };

static int zz[64];
static void init_zigzag(void) {
    int k = 0;
    for (int d = 0; d < 15; d++) {
        if (d % 2 == 0) { for (int i = d < 8 ? d : 7; i >= 0 && d - i < 8; i--) zz[k++] = i * 8 + (d - i); }
        else { for (int i = d < 8 ? 0 : d - 7; i <= d && i < 8; i++) zz[k++] = i * 8 + (d - i); }
    }
}

int main(void) {
    init_table(); init_zigzag();
    printf("C[0][0]=%d C[1][0]=%d C[4][1]=%d C[7][7]=%d zz[0..5]=%d,%d,%d,%d,%d,%d\n", C[0][0], C[1][0], C[4][1], C[7][7], zz[0], zz[1], zz[2], zz[3], zz[4], zz[5]);
    for (int k = 0; k < 8; k++) for (int n = 0; n < 8; n++) ck_add((uint64_t)(uint32_t)C[k][n]);
    int32_t blk[64], coef[64], rec[64];
    int64_t err_lossless = 0, err_q = 0; long nonzero = 0;
    uint64_t zh = 0;
    uint32_t s = 8888;
    for (int b = 0; b < 600; b++) {
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) {
            s = s * 1103515245u + 12345u;
            int v = ((x * (b % 7 + 1) + y * (b % 5 + 2)) * 9) % 256 + (int)((s >> 16) % 21u) - 10;
            if (v < 0) v = 0; if (v > 255) v = 255;
            blk[y * 8 + x] = v - 128;
        }
        fdct2d(blk, coef);
        idct2d(coef, rec);
        for (int i = 0; i < 64; i++) { int32_t d = rec[i] - blk[i]; err_lossless += d < 0 ? -d : d; }
        int32_t q[64];
        for (int i = 0; i < 64; i++) { int32_t c = coef[i], qq = QT[i]; q[i] = c >= 0 ? (c + qq / 2) / qq : -((-c + qq / 2) / qq); nonzero += q[i] != 0; }
        for (int i = 0; i < 64; i++) zh = zh * 31 + (uint32_t)q[zz[i]];
        int32_t dq[64];
        for (int i = 0; i < 64; i++) dq[i] = q[i] * QT[i];
        idct2d(dq, rec);
        for (int i = 0; i < 64; i++) { int32_t d = rec[i] - blk[i]; err_q += (int64_t)d * d; }
        if (b % 150 == 0) printf("block %d: DC=%d AC01=%d AC10=%d\n", b, coef[0], coef[1], coef[8]);
        ck_add((uint64_t)(uint32_t)coef[0]); ck_add((uint64_t)(uint32_t)coef[9]);
    }
    printf("lossless abs error total=%lld quantised: nonzero=%ld sq error=%lld zigzag hash=%016llx\n", (long long)err_lossless, nonzero, (long long)err_q, (unsigned long long)zh);
    ck_add((uint64_t)err_lossless); ck_add((uint64_t)nonzero); ck_add((uint64_t)err_q); ck_add(zh);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
