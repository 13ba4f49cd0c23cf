/* LU decomposition with partial pivoting in Q16.16 fixed point (64-bit
 * intermediates), forward/back substitution, determinant, and residual check
 * of the solution; also Cholesky on a symmetric positive definite matrix. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t ck = 0xfeedfacecafebeefULL;
static void ck_add(uint64_t v) { ck ^= v; ck *= 0x9e3779b97f4a7c15ULL; ck ^= ck >> 29; }

typedef int64_t fx; /* Q16.16 stored in 64 bits */
#define ONE ((fx)1 << 16)
static fx fmul(fx a, fx b) { return (a * b) / ONE; }            /* |a*b| stays far below 2^63 here */
static fx fdiv(fx a, fx b) { return (a * ONE) / b; }
static fx iabs64(fx a) { return a < 0 ? -a : a; }

#define N 24

__attribute__((noinline)) static int lu_decompose(fx a[N][N], int perm[N], int *sign) {
    *sign = 1;
    for (int i = 0; i < N; i++) perm[i] = i;
    for (int k = 0; k < N; k++) {
        int p = k; fx best = iabs64(a[k][k]);
        for (int i = k + 1; i < N; i++) if (iabs64(a[i][k]) > best) { best = iabs64(a[i][k]); p = i; }
        if (best == 0) return -1;
        if (p != k) {
            for (int j = 0; j < N; j++) { fx t = a[k][j]; a[k][j] = a[p][j]; a[p][j] = t; }
            int t = perm[k]; perm[k] = perm[p]; perm[p] = t; *sign = -*sign;
        }
        for (int i = k + 1; i < N; i++) {
            fx f = fdiv(a[i][k], a[k][k]);
            a[i][k] = f;
            for (int j = k + 1; j < N; j++) a[i][j] -= fmul(f, a[k][j]);
        }
    }
    return 0;
}

__attribute__((noinline)) static void lu_solve(fx lu[N][N], const int perm[N], const fx b[N], fx x[N]) {
    fx y[N];
    for (int i = 0; i < N; i++) { fx s = b[perm[i]]; for (int j = 0; j < i; j++) s -= fmul(lu[i][j], y[j]); y[i] = s; }
    for (int i = N - 1; i >= 0; i--) { fx s = y[i]; for (int j = i + 1; j < N; j++) s -= fmul(lu[i][j], x[j]); x[i] = fdiv(s, lu[i][i]); }
}

static fx isqrt_fx(fx v) { /* sqrt in Q16.16: sqrt(v * 2^16) */
    if (v <= 0) return 0;
    uint64_t n = (uint64_t)v << 16, r = 0, bit = (uint64_t)1 << 62;
    while (bit > n) bit >>= 2;
    while (bit) { if (n >= r + bit) { n -= r + bit; r = (r >> 1) + bit; } else r >>= 1; bit >>= 2; }
    return (fx)r;
}

__attribute__((noinline)) static int cholesky(fx a[N][N], fx l[N][N]) {
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) l[i][j] = 0;
    for (int j = 0; j < N; j++) {
        fx s = a[j][j];
        for (int k = 0; k < j; k++) s -= fmul(l[j][k], l[j][k]);
        if (s <= 0) return -1;
        l[j][j] = isqrt_fx(s);
        for (int i = j + 1; i < N; i++) {
            fx t = a[i][j];
            for (int k = 0; k < j; k++) t -= fmul(l[i][k], l[j][k]);
            l[i][j] = fdiv(t, l[j][j]);
        }
    }
    return 0;
}

int main(void) {
    static fx a[N][N], orig[N][N], l[N][N], spd[N][N];
    uint32_t s = 4242;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) {
        s = s * 1664525u + 1013904223u;
        a[i][j] = (fx)((int32_t)(s >> 16) % 8000) * 8; /* roughly [-1, 1) in Q16 */
        if (i == j) a[i][j] += 4 * ONE;                /* diagonally dominant-ish */
        orig[i][j] = a[i][j];
    }
    int perm[N], sign;
    int rc = lu_decompose(a, perm, &sign);
    fx det = sign * ONE;
    int64_t logdet_q = 0;
    for (int i = 0; i < N; i++) { det = fmul(det, a[i][i]) / 4; logdet_q += a[i][i] / 256; }
    printf("lu: rc=%d sign=%d det/4^N(q16)=%lld diag_sum=%lld\n", rc, sign, (long long)det, (long long)logdet_q);
    ck_add((uint64_t)det); ck_add((uint64_t)logdet_q);
    for (int i = 0; i < N; i++) { ck_add((uint64_t)perm[i]); for (int j = 0; j < N; j += 5) ck_add((uint64_t)a[i][j]); }

    fx b[N], x[N];
    int64_t maxres = 0;
    for (int t = 0; t < 20; t++) {
        for (int i = 0; i < N; i++) { s = s * 1664525u + 1013904223u; b[i] = (fx)((int32_t)(s >> 12) % 100000); }
        lu_solve(a, perm, b, x);
        for (int i = 0; i < N; i++) {
            fx r = b[i];
            for (int j = 0; j < N; j++) r -= fmul(orig[i][j], x[j]);
            if (iabs64(r) > maxres) maxres = iabs64(r);
            ck_add((uint64_t)x[i]);
        }
    }
    printf("solve: max residual (q16 units)=%lld x0=%lld\n", (long long)maxres, (long long)x[0]);
    ck_add((uint64_t)maxres);

    for (int i = 0; i < N; i++) for (int j = 0; j <= i; j++) {
        fx v = 0;
        for (int k = 0; k < N; k++) v += fmul(orig[i][k], orig[j][k]) / 8;
        spd[i][j] = spd[j][i] = v;
    }
    for (int i = 0; i < N; i++) spd[i][i] += ONE;
    rc = cholesky(spd, l);
    int64_t err = 0, tr = 0;
    for (int i = 0; i < N; i++) for (int j = 0; j <= i; j++) {
        fx v = 0;
        for (int k = 0; k <= j; k++) v += fmul(l[i][k], l[j][k]);
        err += iabs64(v - spd[i][j]);
    }
    for (int i = 0; i < N; i++) tr += l[i][i];
    printf("cholesky: rc=%d total reconstruction error=%lld trace(L)=%lld\n", rc, (long long)err, (long long)tr);
    ck_add((uint64_t)err); ck_add((uint64_t)tr);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
