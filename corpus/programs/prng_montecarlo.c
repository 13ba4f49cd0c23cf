/* Monte Carlo experiments with integer-only arithmetic: pi estimation by
 * point counting in a quarter circle (64-bit squared radii), 2-D lattice
 * random walks (mean squared displacement), the birthday problem, coupon
 * collector, and percolation on a grid with union-find. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x3c6ef372fe94f82bULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 31; }

static uint64_t st[2] = { 0x9e3779b97f4a7c15ULL, 0xd1b54a32d192ed03ULL };
static uint64_t rnd(void) { uint64_t s1 = st[0]; const uint64_t s0 = st[1]; st[0] = s0; s1 ^= s1 << 23; st[1] = s1 ^ s0 ^ (s1 >> 18) ^ (s0 >> 5); return st[1] + s0; }
static uint32_t below(uint32_t n) { return (uint32_t)(((rnd() >> 32) * n) >> 32); }

__attribute__((noinline)) static uint64_t pi_points(int n) {
    uint64_t inside = 0;
    for (int i = 0; i < n; i++) {
        uint64_t x = rnd() >> 33, y = rnd() >> 33; /* 31-bit coordinates */
        inside += x * x + y * y < (1ULL << 62);
    }
    return inside;
}

__attribute__((noinline)) static uint64_t walks(int nwalk, int steps, int64_t *maxd) {
    uint64_t msd = 0; *maxd = 0;
    for (int w = 0; w < nwalk; w++) {
        int64_t x = 0, y = 0;
        for (int s = 0; s < steps; s++) { switch (rnd() >> 62) { case 0: x++; break; case 1: x--; break; case 2: y++; break; default: y--; } }
        int64_t d = x * x + y * y;
        msd += (uint64_t)d;
        if (d > *maxd) *maxd = d;
    }
    return msd;
}

__attribute__((noinline)) static int birthday(int trials, int people) {
    int hits = 0;
    for (int t = 0; t < trials; t++) {
        uint8_t seen[365] = { 0 };
        for (int p = 0; p < people; p++) { uint32_t d = below(365); if (seen[d]) { hits++; break; } seen[d] = 1; }
    }
    return hits;
}

__attribute__((noinline)) static uint64_t coupons(int trials, int n) {
    uint64_t total = 0;
    uint8_t *got = malloc((size_t)n);
    for (int t = 0; t < trials; t++) {
        memset(got, 0, (size_t)n);
        int have = 0;
        while (have < n) { uint32_t c = below((uint32_t)n); total++; if (!got[c]) { got[c] = 1; have++; } }
    }
    free(got);
    return total;
}

static int uf[130 * 130 + 2];
static int find(int x) { while (uf[x] != x) { uf[x] = uf[uf[x]]; x = uf[x]; } return x; }
static void unite(int a, int b) { a = find(a); b = find(b); if (a != b) uf[a] = b; }

__attribute__((noinline)) static int percolates(int n, uint32_t p_permille) {
    uint8_t *open = malloc((size_t)(n * n));
    for (int i = 0; i < n * n + 2; i++) uf[i] = i;
    int top = n * n, bot = n * n + 1;
    for (int i = 0; i < n * n; i++) open[i] = below(1000) < p_permille;
    for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) {
        int i = r * n + c;
        if (!open[i]) continue;
        if (r == 0) unite(i, top);
        if (r == n - 1) unite(i, bot);
        if (c + 1 < n && open[i + 1]) unite(i, i + 1);
        if (r + 1 < n && open[i + n]) unite(i, i + n);
    }
    int res = find(top) == find(bot);
    free(open);
    return res;
}

int main(void) {
    int n = 200000;
    uint64_t in = pi_points(n);
    printf("pi estimate: %llu/%d -> pi*1e5 ~ %llu\n", (unsigned long long)in, n, (unsigned long long)(in * 400000 / (uint64_t)n));
    ck_add(in);
    int64_t maxd;
    uint64_t msd = walks(300, 800, &maxd);
    printf("random walks: mean squared displacement*100=%llu max=%lld\n", (unsigned long long)(msd * 100 / 300), (long long)maxd);
    ck_add(msd); ck_add((uint64_t)maxd);
    for (int people = 10; people <= 50; people += 10) { int h = birthday(2000, people); printf("birthday %d people: %d/2000 share\n", people, h); ck_add((uint64_t)h); }
    uint64_t cc = coupons(200, 100);
    printf("coupon collector n=100: mean draws*100=%llu\n", (unsigned long long)(cc * 100 / 200));
    ck_add(cc);
    for (uint32_t p = 550; p <= 650; p += 25) {
        int succ = 0;
        for (int t = 0; t < 20; t++) succ += percolates(100, p);
        printf("percolation p=0.%03u: %d/20\n", p, succ);
        ck_add((uint64_t)succ);
    }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
