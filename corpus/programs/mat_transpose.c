/* Matrix transposition: naive, cache-blocked, recursive (cache-oblivious),
 * in-place square, and in-place rectangular via cycle following; plus
 * rotation by 90 degrees and bit-matrix (8x8) transpose with shifts/masks. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x0123456789abcdefULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck += ck >> 17; }

__attribute__((noinline)) static void tr_naive(const uint32_t *a, uint32_t *b, int r, int c) {
    for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) b[(size_t)j * r + i] = a[(size_t)i * c + j];
}
__attribute__((noinline)) static void tr_blocked(const uint32_t *a, uint32_t *b, int r, int c, int bs) {
    for (int ii = 0; ii < r; ii += bs) for (int jj = 0; jj < c; jj += bs)
        for (int i = ii; i < ii + bs && i < r; i++) for (int j = jj; j < jj + bs && j < c; j++)
            b[(size_t)j * r + i] = a[(size_t)i * c + j];
}
static void tr_rec(const uint32_t *a, uint32_t *b, int r, int c, int r0, int r1, int c0, int c1) {
    if ((r1 - r0) * (c1 - c0) <= 64) {
        for (int i = r0; i < r1; i++) for (int j = c0; j < c1; j++) b[(size_t)j * r + i] = a[(size_t)i * c + j];
        return;
    }
    if (r1 - r0 >= c1 - c0) { int m = (r0 + r1) / 2; tr_rec(a, b, r, c, r0, m, c0, c1); tr_rec(a, b, r, c, m, r1, c0, c1); }
    else { int m = (c0 + c1) / 2; tr_rec(a, b, r, c, r0, r1, c0, m); tr_rec(a, b, r, c, r0, r1, m, c1); }
}
__attribute__((noinline)) static void tr_inplace_sq(uint32_t *a, int n) {
    for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) { uint32_t t = a[i * n + j]; a[i * n + j] = a[j * n + i]; a[j * n + i] = t; }
}
/* in-place transpose of r x c matrix by following permutation cycles */
__attribute__((noinline)) static int tr_inplace_cycles(uint32_t *a, int r, int c, uint8_t *visited) {
    int n = r * c, cycles = 0;
    memset(visited, 0, (size_t)n);
    for (int start = 0; start < n; start++) {
        if (visited[start]) continue;
        cycles++;
        int cur = start;
        uint32_t carry = a[start];
        do {
            int i = cur / c, j = cur % c;
            int dst = j * r + i;
            uint32_t t = a[dst]; a[dst] = carry; carry = t;
            visited[cur] = 1;
            cur = dst;
        } while (cur != start);
    }
    return cycles;
}
__attribute__((noinline)) static void rot90(const uint32_t *a, uint32_t *b, int r, int c) {
    for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) b[(size_t)j * r + (r - 1 - i)] = a[(size_t)i * c + j];
}
__attribute__((noinline)) static uint64_t bit_transpose8(uint64_t x) {
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL; x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL; x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL; x = x ^ t ^ (t << 28);
    return x;
}
static uint64_t bit_transpose8_slow(uint64_t x) {
    uint64_t y = 0;
    for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) if (x >> (i * 8 + j) & 1) y |= (uint64_t)1 << (j * 8 + i);
    return y;
}
static uint64_t h(const uint32_t *a, int n) { uint64_t v = 0; for (int i = 0; i < n; i++) v = v * 1000003u + a[i]; return v; }

int main(void) {
    int r = 123, c = 217, n = r * c;
    uint32_t *a = malloc(4 * (size_t)n), *b1 = malloc(4 * (size_t)n), *b2 = malloc(4 * (size_t)n), *b3 = malloc(4 * (size_t)n);
    uint8_t *vis = malloc((size_t)n);
    for (int i = 0; i < n; i++) a[i] = (uint32_t)i * 2654435761u;
    tr_naive(a, b1, r, c); tr_blocked(a, b2, r, c, 16); tr_rec(a, b3, r, c, 0, r, 0, c);
    uint64_t h1 = h(b1, n);
    printf("transpose %dx%d: agree=%d hash=%016llx\n", r, c, h1 == h(b2, n) && h1 == h(b3, n), (unsigned long long)h1);
    ck_add(h1);
    memcpy(b2, a, 4 * (size_t)n);
    int cyc = tr_inplace_cycles(b2, r, c, vis);
    printf("in-place cycles=%d agree=%d\n", cyc, h(b2, n) == h1);
    ck_add((uint64_t)cyc);
    int cycsum = 0;
    for (int rr = 2; rr < 40; rr += 3) for (int cc = 3; cc < 40; cc += 5) {
        for (int i = 0; i < rr * cc; i++) b2[i] = (uint32_t)i;
        cycsum += tr_inplace_cycles(b2, rr, cc, vis);
        ck_add(h(b2, rr * cc));
    }
    printf("cycle counts sum=%d\n", cycsum);
    ck_add((uint64_t)cycsum);
    int sq = 150;
    for (int i = 0; i < sq * sq; i++) b1[i] = (uint32_t)i ^ 0x5a5a5a5au;
    memcpy(b2, b1, 4 * (size_t)(sq * sq));
    tr_inplace_sq(b2, sq); tr_naive(b1, b3, sq, sq);
    printf("square in-place agree=%d\n", h(b2, sq * sq) == h(b3, sq * sq));
    rot90(a, b1, r, c); rot90(b1, b2, c, r); rot90(b2, b3, r, c); rot90(b3, b1, c, r);
    printf("rot90 x4 identity=%d\n", h(b1, n) == h(a, n));
    rot90(a, b1, r, c);
    ck_add(h(b1, n));
    uint64_t x = 0x0123456789abcdefULL, acc = 0; int ok = 1;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t t = bit_transpose8(x);
        if (i < 2000 && t != bit_transpose8_slow(x)) ok = 0;
        if (bit_transpose8(t) != x) ok = 0;
        acc += t;
    }
    printf("bit transpose ok=%d acc=%016llx\n", ok, (unsigned long long)acc);
    ck_add(acc);
    free(a); free(b1); free(b2); free(b3); free(vis);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
