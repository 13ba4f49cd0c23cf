/* Knapsack dynamic programming: 0/1 knapsack with a 2-D table and item
 * reconstruction, the 1-D rolling version, unbounded knapsack, bounded
 * knapsack via binary splitting, and subset-sum counting modulo 2^64. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x4b4e4150ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 30; }

#define NI 120
#define CAP 2500

static int wt[NI], val[NI], cnt[NI];

__attribute__((noinline)) static int knap2d(int n, int cap, uint8_t *take, int *chosen_w) {
    int *t = calloc((size_t)(n + 1) * (size_t)(cap + 1), sizeof(int));
#define T(i, c) t[(size_t)(i) * (size_t)(cap + 1) + (size_t)(c)]
    for (int i = 1; i <= n; i++)
        for (int c = 0; c <= cap; c++) {
            int best = T(i - 1, c);
            if (wt[i - 1] <= c && T(i - 1, c - wt[i - 1]) + val[i - 1] > best) best = T(i - 1, c - wt[i - 1]) + val[i - 1];
            T(i, c) = best;
        }
    int c = cap; *chosen_w = 0;
    for (int i = n; i >= 1; i--) {
        take[i - 1] = T(i, c) != T(i - 1, c);
        if (take[i - 1]) { c -= wt[i - 1]; *chosen_w += wt[i - 1]; }
    }
    int r = T(n, cap);
#undef T
    free(t);
    return r;
}

__attribute__((noinline)) static int knap1d(int n, int cap) {
    int *d = calloc((size_t)cap + 1, sizeof(int));
    for (int i = 0; i < n; i++) for (int c = cap; c >= wt[i]; c--) if (d[c - wt[i]] + val[i] > d[c]) d[c] = d[c - wt[i]] + val[i];
    int r = d[cap];
    free(d);
    return r;
}

__attribute__((noinline)) static int64_t unbounded(int n, int cap) {
    int64_t *d = calloc((size_t)cap + 1, sizeof(int64_t));
    for (int c = 1; c <= cap; c++) for (int i = 0; i < n; i++) if (wt[i] <= c && d[c - wt[i]] + val[i] > d[c]) d[c] = d[c - wt[i]] + val[i];
    int64_t r = d[cap];
    free(d);
    return r;
}

__attribute__((noinline)) static int64_t bounded(int n, int cap) {
    int64_t *d = calloc((size_t)cap + 1, sizeof(int64_t));
    for (int i = 0; i < n; i++) {
        int left = cnt[i];
        for (int k = 1; left > 0; k <<= 1) {
            int take = k < left ? k : left;
            left -= take;
            int w = wt[i] * take; int64_t v = (int64_t)val[i] * take;
            for (int c = cap; c >= w; c--) if (d[c - w] + v > d[c]) d[c] = d[c - w] + v;
        }
    }
    int64_t r = d[cap];
    free(d);
    return r;
}

__attribute__((noinline)) static uint64_t subset_count(const int *a, int n, int target) {
    uint64_t *d = calloc((size_t)target + 1, sizeof(uint64_t));
    d[0] = 1;
    for (int i = 0; i < n; i++) for (int s = target; s >= a[i]; s--) d[s] += d[s - a[i]];
    uint64_t r = d[target];
    free(d);
    return r;
}

int main(void) {
    uint32_t s = 2025;
    for (int i = 0; i < NI; i++) {
        s = s * 1103515245u + 12345u; wt[i] = 5 + (int)((s >> 16) % 95u);
        s = s * 1103515245u + 12345u; val[i] = 10 + (int)((s >> 16) % 490u) + wt[i] / 3;
        s = s * 1103515245u + 12345u; cnt[i] = 1 + (int)((s >> 16) % 5u);
    }
    uint8_t take[NI];
    int cw;
    int v2 = knap2d(NI, CAP, take, &cw);
    int v1 = knap1d(NI, CAP);
    int nt = 0, vsum = 0; uint64_t mask = 0;
    for (int i = 0; i < NI; i++) if (take[i]) { nt++; vsum += val[i]; mask = mask * 3 + (uint64_t)i; }
    printf("0/1 knapsack: best=%d (1d=%d) items=%d weight=%d/%d recon_value=%d\n", v2, v1, nt, cw, CAP, vsum);
    ck_add((uint64_t)v2); ck_add((uint64_t)v1); ck_add(mask);
    int64_t ub = unbounded(NI, CAP), bd = bounded(NI, CAP);
    printf("unbounded=%lld bounded=%lld\n", (long long)ub, (long long)bd);
    ck_add((uint64_t)ub); ck_add((uint64_t)bd);
    for (int cap = 100; cap <= CAP; cap += 300) { int v = knap1d(NI, cap); ck_add((uint64_t)v); if (cap % 900 == 100) printf("  cap %d -> %d\n", cap, v); }
    int a[60];
    for (int i = 0; i < 60; i++) a[i] = i + 1;
    uint64_t c1 = subset_count(a, 60, 915), c2 = subset_count(a, 30, 200);
    printf("subsets of 1..60 summing to 915: %llu; of 1..30 to 200: %llu\n", (unsigned long long)c1, (unsigned long long)c2);
    ck_add(c1); ck_add(c2);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
