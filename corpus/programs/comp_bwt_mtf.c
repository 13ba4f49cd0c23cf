/* Burrows-Wheeler transform (rotation sort with a comparison sort on
 * doubled buffer), inverse BWT via LF-mapping, move-to-front coding,
 * zero-run-length coding of MTF output, and a full round trip. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x0bad5eed0bad5eedULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0xd1342543de82ef95ULL; ck ^= ck >> 31; }

static const uint8_t *g_buf;
static int g_n;

static int rot_cmp(int a, int b) {
    for (int k = 0; k < g_n; k++) {
        uint8_t x = g_buf[a + k], y = g_buf[b + k];
        if (x != y) return x < y ? -1 : 1;
    }
    return a < b ? -1 : (a > b);
}

/* merge sort of rotation indices (deterministic, stable) */
static void msort(int *a, int *t, int n) {
    if (n < 2) return;
    int m = n / 2;
    msort(a, t, m); msort(a + m, t, n - m);
    int i = 0, j = m, k = 0;
    while (i < m && j < n) t[k++] = rot_cmp(a[i], a[j]) <= 0 ? a[i++] : a[j++];
    while (i < m) t[k++] = a[i++];
    while (j < n) t[k++] = a[j++];
    memcpy(a, t, sizeof(int) * (size_t)n);
}

__attribute__((noinline)) static int bwt(const uint8_t *in, int n, uint8_t *out) {
    uint8_t *dbl = malloc((size_t)(2 * n));
    memcpy(dbl, in, (size_t)n); memcpy(dbl + n, in, (size_t)n);
    int *idx = malloc(sizeof(int) * (size_t)n), *tmp = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) idx[i] = i;
    g_buf = dbl; g_n = n;
    msort(idx, tmp, n);
    int primary = -1;
    for (int i = 0; i < n; i++) { out[i] = dbl[idx[i] + n - 1]; if (idx[i] == 0) primary = i; }
    free(dbl); free(idx); free(tmp);
    return primary;
}

__attribute__((noinline)) static void ibwt(const uint8_t *l, int n, int primary, uint8_t *out) {
    int cnt[256] = { 0 }, start[256];
    int *lf = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) cnt[l[i]]++;
    int sum = 0;
    for (int c = 0; c < 256; c++) { start[c] = sum; sum += cnt[c]; }
    int seen[256] = { 0 };
    for (int i = 0; i < n; i++) lf[i] = start[l[i]] + seen[l[i]]++;
    int p = primary;
    for (int i = n - 1; i >= 0; i--) { out[i] = l[p]; p = lf[p]; }
    free(lf);
}

__attribute__((noinline)) static void mtf_enc(const uint8_t *in, int n, uint8_t *out) {
    uint8_t tab[256];
    for (int i = 0; i < 256; i++) tab[i] = (uint8_t)i;
    for (int i = 0; i < n; i++) {
        uint8_t c = in[i]; int j = 0;
        while (tab[j] != c) j++;
        out[i] = (uint8_t)j;
        memmove(tab + 1, tab, (size_t)j); tab[0] = c;
    }
}
__attribute__((noinline)) static void mtf_dec(const uint8_t *in, int n, uint8_t *out) {
    uint8_t tab[256];
    for (int i = 0; i < 256; i++) tab[i] = (uint8_t)i;
    for (int i = 0; i < n; i++) { int j = in[i]; uint8_t c = tab[j]; out[i] = c; memmove(tab + 1, tab, (size_t)j); tab[0] = c; }
}

/* zero runs -> (0, runlen) with runlen up to 255 */
__attribute__((noinline)) static int zrle(const uint8_t *in, int n, uint8_t *out) {
    int o = 0;
    for (int i = 0; i < n;) {
        if (in[i] == 0) { int j = i; while (j < n && in[j] == 0 && j - i < 255) j++; out[o++] = 0; out[o++] = (uint8_t)(j - i); i = j; }
        else out[o++] = in[i++];
    }
    return o;
}
static int unzrle(const uint8_t *in, int n, uint8_t *out) {
    int o = 0;
    for (int i = 0; i < n;) { if (in[i] == 0) { for (int k = 0; k < in[i + 1]; k++) out[o++] = 0; i += 2; } else out[o++] = in[i++]; }
    return o;
}

int main(void) {
    const char *demo = "banana_bandana_banana";
    uint8_t out[64], back[64];
    int n0 = (int)strlen(demo);
    int p0 = bwt((const uint8_t *)demo, n0, out);
    out[n0] = 0;
    ibwt(out, n0, p0, back); back[n0] = 0;
    printf("bwt(%s) = %s primary=%d inverse_ok=%d\n", demo, (const char *)out, p0, !strcmp((const char *)back, demo));
    for (int i = 0; i < n0; i++) ck_add(out[i]);

    int n = 12000;
    uint8_t *in = malloc((size_t)n), *b = malloc((size_t)n), *m = malloc((size_t)n), *z = malloc((size_t)(2 * n)), *u = malloc((size_t)n), *r = malloc((size_t)n), *r2 = malloc((size_t)n);
    static const char *words[] = { "alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta ", "eta ", "theta " };
    uint32_t s = 2718281;
    int k = 0;
    while (k < n) { s = s * 1103515245u + 12345u; const char *w = words[(s >> 16) & 7]; for (int i = 0; w[i] && k < n; i++) in[k++] = (uint8_t)w[i]; }
    int prim = bwt(in, n, b);
    mtf_enc(b, n, m);
    int zl = zrle(m, n, z);
    int ul = unzrle(z, zl, u);
    mtf_dec(u, ul, r);
    ibwt(r, n, prim, r2);
    int zeros = 0; for (int i = 0; i < n; i++) zeros += m[i] == 0;
    printf("text n=%d primary=%d mtf_zeros=%d zrle=%d roundtrip=%d\n", n, prim, zeros, zl, ul == n && !memcmp(in, r2, (size_t)n));
    ck_add((uint64_t)prim); ck_add((uint64_t)zeros); ck_add((uint64_t)zl);
    uint64_t h = 0;
    for (int i = 0; i < n; i++) h = h * 131 + b[i];
    ck_add(h);
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; in[i] = (uint8_t)((s >> 16) % 7u + (i % 97 == 0 ? 100 : 0)); }
    prim = bwt(in, n, b); mtf_enc(b, n, m); zl = zrle(m, n, z);
    ibwt(b, n, prim, r2);
    printf("random n=%d primary=%d zrle=%d roundtrip=%d\n", n, prim, zl, !memcmp(in, r2, (size_t)n));
    ck_add((uint64_t)prim); ck_add((uint64_t)zl);
    free(in); free(b); free(m); free(z); free(u); free(r); free(r2);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
