/* Exact linear algebra modulo a prime: Gaussian elimination for rank,
 * determinant and inverse mod p = 998244353, verification A*A^-1 = I,
 * and solving several linear systems over GF(p). */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x5bd1e995ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0xc6a4a7935bd1e995ULL; ck ^= ck >> 47; }

#define P 998244353u
#define N 40

static uint32_t mulm(uint32_t a, uint32_t b) { return (uint32_t)((uint64_t)a * b % P); }
static uint32_t addm(uint32_t a, uint32_t b) { uint32_t s = a + b; return s >= P ? s - P : s; }
static uint32_t subm(uint32_t a, uint32_t b) { return a >= b ? a - b : a + P - b; }
__attribute__((noinline)) static uint32_t powm(uint32_t b, uint32_t e) { uint32_t r = 1; while (e) { if (e & 1) r = mulm(r, b); b = mulm(b, b); e >>= 1; } return r; }
static uint32_t invm(uint32_t a) { return powm(a, P - 2); }

/* returns rank; det via pointer; inv (if full rank) */
__attribute__((noinline)) static int gauss(uint32_t a[N][N], int n, uint32_t inv[N][N], uint32_t *det) {
    static uint32_t aug[N][2 * N];
    for (int i = 0; i < n; i++) for (int j = 0; j < 2 * n; j++) aug[i][j] = j < n ? a[i][j] : (uint32_t)(j - n == i);
    uint32_t d = 1; int rank = 0;
    for (int col = 0; col < n && rank < n; col++) {
        int piv = -1;
        for (int i = rank; i < n; i++) if (aug[i][col]) { piv = i; break; }
        if (piv < 0) { d = 0; continue; }
        if (piv != rank) { for (int j = 0; j < 2 * n; j++) { uint32_t t = aug[piv][j]; aug[piv][j] = aug[rank][j]; aug[rank][j] = t; } d = subm(0, d); }
        d = mulm(d, aug[rank][col]);
        uint32_t iv = invm(aug[rank][col]);
        for (int j = 0; j < 2 * n; j++) aug[rank][j] = mulm(aug[rank][j], iv);
        for (int i = 0; i < n; i++) {
            if (i == rank || !aug[i][col]) continue;
            uint32_t f = aug[i][col];
            for (int j = 0; j < 2 * n; j++) aug[i][j] = subm(aug[i][j], mulm(f, aug[rank][j]));
        }
        rank++;
    }
    if (rank < n) d = 0;
    *det = d;
    if (rank == n) for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) inv[i][j] = aug[i][n + j];
    return rank;
}

int main(void) {
    static uint32_t a[N][N], inv[N][N], prod[N][N];
    uint64_t s = 20240601;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { s = s * 2862933555777941757ULL + 3037000493ULL; a[i][j] = (uint32_t)((s >> 33) % P); }
    uint32_t det;
    int rank = gauss(a, N, inv, &det);
    printf("random %dx%d: rank=%d det=%u\n", N, N, rank, det);
    ck_add((uint64_t)rank); ck_add(det);
    int ident = 1;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) {
        uint32_t v = 0;
        for (int k = 0; k < N; k++) v = addm(v, mulm(a[i][k], inv[k][j]));
        prod[i][j] = v;
        if (v != (uint32_t)(i == j)) ident = 0;
    }
    printf("A*inv(A)==I: %d inv[0][0]=%u inv[N-1][N-1]=%u\n", ident, inv[0][0], inv[N - 1][N - 1]);
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j += 3) ck_add(inv[i][j]);

    /* rank-deficient: make rows linear combinations */
    for (int i = 30; i < N; i++) for (int j = 0; j < N; j++) a[i][j] = addm(mulm(a[i - 30][j], (uint32_t)i), mulm(a[i - 29][j], 7));
    rank = gauss(a, N, inv, &det);
    printf("deficient: rank=%d det=%u\n", rank, det);
    ck_add((uint64_t)rank); ck_add(det);

    /* Vandermonde determinants: product of (x_j - x_i) */
    for (int n = 2; n <= 12; n++) {
        static uint32_t v[N][N];
        uint32_t xs[N];
        for (int i = 0; i < n; i++) xs[i] = (uint32_t)(i * i + 3 * i + 1);
        for (int i = 0; i < n; i++) { uint32_t p = 1; for (int j = 0; j < n; j++) { v[i][j] = p; p = mulm(p, xs[i]); } }
        uint32_t expect = 1;
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) expect = mulm(expect, subm(xs[j], xs[i]));
        gauss(v, n, inv, &det);
        if (n % 4 == 0) printf("vandermonde n=%d det=%u expected=%u\n", n, det, expect);
        ck_add(det); ck_add(det == expect);
    }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
