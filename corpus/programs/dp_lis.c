/* Sequence dynamic programming: longest increasing subsequence (O(n log n)
 * patience sorting with reconstruction vs O(n^2) DP), coin change (minimum
 * coins and number of ways), integer partitions p(n) modulo 2^64 via Euler's
 * pentagonal recurrence vs a direct DP, and maximum subarray (Kadane) in 1-D
 * and 2-D. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x1f5a1f5a1f5aULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

__attribute__((noinline)) static int lis_fast(const int32_t *a, int n, int32_t *out) {
    int *tail = malloc(sizeof(int) * (size_t)n), *prev = malloc(sizeof(int) * (size_t)n), len = 0;
    for (int i = 0; i < n; i++) {
        int lo = 0, hi = len;
        while (lo < hi) { int mid = (lo + hi) / 2; if (a[tail[mid]] < a[i]) lo = mid + 1; else hi = mid; }
        prev[i] = lo > 0 ? tail[lo - 1] : -1;
        tail[lo] = i;
        if (lo == len) len++;
    }
    for (int k = len - 1, i = tail[len - 1]; k >= 0; k--, i = prev[i]) out[k] = a[i];
    free(tail); free(prev);
    return len;
}

__attribute__((noinline)) static int lis_slow(const int32_t *a, int n) {
    int *d = malloc(sizeof(int) * (size_t)n), best = 0;
    for (int i = 0; i < n; i++) { d[i] = 1; for (int j = 0; j < i; j++) if (a[j] < a[i] && d[j] + 1 > d[i]) d[i] = d[j] + 1; if (d[i] > best) best = d[i]; }
    free(d);
    return best;
}

__attribute__((noinline)) static void coins(const int *c, int nc, int amount, int *minc, uint64_t *ways) {
    int *mn = malloc(sizeof(int) * (size_t)(amount + 1));
    for (int v = 0; v <= amount; v++) { mn[v] = v == 0 ? 0 : 1 << 29; ways[v] = v == 0; }
    for (int k = 0; k < nc; k++)
        for (int v = c[k]; v <= amount; v++) { ways[v] += ways[v - c[k]]; if (mn[v - c[k]] + 1 < mn[v]) mn[v] = mn[v - c[k]] + 1; }
    memcpy(minc, mn, sizeof(int) * (size_t)(amount + 1));
    free(mn);
}

__attribute__((noinline)) static void partitions_euler(uint64_t *p, int n) {
    p[0] = 1;
    for (int i = 1; i <= n; i++) {
        uint64_t s = 0;
        for (int k = 1;; k++) {
            int g1 = k * (3 * k - 1) / 2, g2 = k * (3 * k + 1) / 2;
            if (g1 > i) break;
            uint64_t t = p[i - g1] + (g2 <= i ? p[i - g2] : 0);
            if (k & 1) s += t; else s -= t;
        }
        p[i] = s;
    }
}
__attribute__((noinline)) static void partitions_dp(uint64_t *p, int n) {
    memset(p, 0, sizeof(uint64_t) * (size_t)(n + 1));
    p[0] = 1;
    for (int part = 1; part <= n; part++) for (int v = part; v <= n; v++) p[v] += p[v - part];
}

__attribute__((noinline)) static int64_t kadane2d(const int32_t *g, int r, int c, int *area) {
    int64_t best = INT64_MIN;
    int64_t *col = malloc(sizeof(int64_t) * (size_t)c);
    for (int top = 0; top < r; top++) {
        memset(col, 0, sizeof(int64_t) * (size_t)c);
        for (int bot = top; bot < r; bot++) {
            for (int j = 0; j < c; j++) col[j] += g[bot * c + j];
            int64_t cur = 0; int start = 0;
            for (int j = 0; j < c; j++) {
                if (cur <= 0) { cur = col[j]; start = j; } else cur += col[j];
                if (cur > best) { best = cur; *area = (bot - top + 1) * (j - start + 1); }
            }
        }
    }
    free(col);
    return best;
}

int main(void) {
    int n = 3000;
    int32_t *a = malloc(sizeof(int32_t) * (size_t)n), *out = malloc(sizeof(int32_t) * (size_t)n);
    uint32_t s = 31;
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; a[i] = (int32_t)((s >> 12) % 100000u) + i * 13; }
    int l1 = lis_fast(a, n, out), l2 = lis_slow(a, n);
    int inc = 1; for (int i = 1; i < l1; i++) if (out[i - 1] >= out[i]) inc = 0;
    uint64_t h = 0; for (int i = 0; i < l1; i++) h = h * 31 + (uint32_t)out[i];
    printf("LIS: fast=%d slow=%d increasing=%d first=%d last=%d\n", l1, l2, inc, out[0], out[l1 - 1]);
    ck_add((uint64_t)l1); ck_add(h);
    int cs[] = { 1, 2, 5, 10, 20, 50, 100, 200 };
    int amount = 5000;
    int *mc = malloc(sizeof(int) * (size_t)(amount + 1));
    uint64_t *ways = malloc(sizeof(uint64_t) * (size_t)(amount + 1));
    coins(cs, 8, amount, mc, ways);
    printf("coins: ways(200)=%llu ways(5000)=%llu min(4999)=%d\n", (unsigned long long)ways[200], (unsigned long long)ways[5000], mc[4999]);
    ck_add(ways[200]); ck_add(ways[5000]); ck_add((uint64_t)mc[4999]);
    int odd[] = { 7, 11, 13, 29 };
    coins(odd, 4, amount, mc, ways);
    long unreachable = 0; for (int v = 0; v <= amount; v++) unreachable += mc[v] >= (1 << 29);
    printf("odd coins: unreachable amounts=%ld min(4321)=%d\n", unreachable, mc[4321]);
    ck_add((uint64_t)unreachable);
    int pn = 2000;
    uint64_t *p1 = malloc(sizeof(uint64_t) * (size_t)(pn + 1)), *p2 = malloc(sizeof(uint64_t) * (size_t)(pn + 1));
    partitions_euler(p1, pn); partitions_dp(p2, pn);
    printf("partitions: p(100)=%llu p(2000) mod 2^64=%llu agree=%d\n", (unsigned long long)p1[100], (unsigned long long)p1[2000], !memcmp(p1, p2, sizeof(uint64_t) * (size_t)(pn + 1)));
    ck_add(p1[100]); ck_add(p1[2000]);
    int R = 60, C = 70;
    int32_t *g = malloc(sizeof(int32_t) * (size_t)(R * C));
    for (int i = 0; i < R * C; i++) { s = s * 1103515245u + 12345u; g[i] = (int32_t)((s >> 16) % 201u) - 103; }
    int area = 0;
    int64_t best = kadane2d(g, R, C, &area);
    printf("max subrectangle sum=%lld area=%d\n", (long long)best, area);
    ck_add((uint64_t)best); ck_add((uint64_t)area);
    free(a); free(out); free(mc); free(ways); free(p1); free(p2); free(g);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
