/* Interval dynamic programming: matrix-chain multiplication order with
 * parenthesisation reconstruction, optimal binary search tree (with Knuth's
 * monotonicity optimisation, cross-checked against the plain O(n^3) DP),
 * minimum-cost polygon triangulation and palindrome partitioning. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x3c3c3c3c4d4d4d4dULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 27; }

#define MAXN 160
static int64_t m[MAXN][MAXN];
static int split[MAXN][MAXN];

__attribute__((noinline)) static int64_t matrix_chain(const int *dims, int n) {
    for (int i = 0; i < n; i++) m[i][i] = 0;
    for (int len = 2; len <= n; len++)
        for (int i = 0; i + len - 1 < n; i++) {
            int j = i + len - 1;
            m[i][j] = INT64_MAX;
            for (int k = i; k < j; k++) {
                int64_t c = m[i][k] + m[k + 1][j] + (int64_t)dims[i] * dims[k + 1] * dims[j + 1];
                if (c < m[i][j]) { m[i][j] = c; split[i][j] = k; }
            }
        }
    return m[0][n - 1];
}

static int paren(int i, int j, char *out, int pos) {
    if (i == j) { pos += sprintf(out + pos, "A%d", i); return pos; }
    out[pos++] = '(';
    pos = paren(i, split[i][j], out, pos);
    pos = paren(split[i][j] + 1, j, out, pos);
    out[pos++] = ')';
    out[pos] = 0;
    return pos;
}

static int64_t e[MAXN + 2][MAXN + 2], wsum[MAXN + 2][MAXN + 2];
static int root[MAXN + 2][MAXN + 2];

__attribute__((noinline)) static int64_t obst(const int *freq, int n, int knuth, long *work) {
    *work = 0;
    for (int i = 1; i <= n + 1; i++) { e[i][i - 1] = 0; wsum[i][i - 1] = 0; }
    for (int len = 1; len <= n; len++)
        for (int i = 1; i + len - 1 <= n; i++) {
            int j = i + len - 1;
            wsum[i][j] = wsum[i][j - 1] + freq[j];
            e[i][j] = INT64_MAX;
            int lo = i, hi = j;
            if (knuth && len > 1) { lo = root[i][j - 1]; hi = root[i + 1][j]; }
            for (int r = lo; r <= hi; r++) {
                (*work)++;
                int64_t c = e[i][r - 1] + e[r + 1][j] + wsum[i][j];
                if (c < e[i][j]) { e[i][j] = c; root[i][j] = r; }
            }
        }
    return e[1][n];
}

__attribute__((noinline)) static int64_t triangulate(const int64_t *x, const int64_t *y, int n) {
    for (int gap = 0; gap < n; gap++)
        for (int i = 0, j = gap; j < n; i++, j++) {
            if (gap < 2) { m[i][j] = 0; continue; }
            m[i][j] = INT64_MAX;
            for (int k = i + 1; k < j; k++) {
                int64_t dx1 = x[i] - x[k], dy1 = y[i] - y[k], dx2 = x[k] - x[j], dy2 = y[k] - y[j], dx3 = x[j] - x[i], dy3 = y[j] - y[i];
                int64_t per = (dx1 < 0 ? -dx1 : dx1) + (dy1 < 0 ? -dy1 : dy1) + (dx2 < 0 ? -dx2 : dx2) + (dy2 < 0 ? -dy2 : dy2) + (dx3 < 0 ? -dx3 : dx3) + (dy3 < 0 ? -dy3 : dy3);
                int64_t c = m[i][k] + m[k][j] + per;
                if (c < m[i][j]) m[i][j] = c;
            }
        }
    return m[0][n - 1];
}

__attribute__((noinline)) static int pal_partition(const char *s, int n) {
    static uint8_t pal[600][600];
    int *cut = malloc(sizeof(int) * (size_t)n);
    for (int j = 0; j < n; j++) {
        cut[j] = j;
        for (int i = 0; i <= j; i++)
            if (s[i] == s[j] && (j - i < 2 || pal[i + 1][j - 1])) { pal[i][j] = 1; int c = i == 0 ? 0 : cut[i - 1] + 1; if (c < cut[j]) cut[j] = c; }
            else pal[i][j] = 0;
    }
    int r = cut[n - 1];
    free(cut);
    return r;
}

int main(void) {
    int dims[MAXN + 1];
    uint32_t s = 8;
    for (int i = 0; i <= MAXN; i++) { s = s * 1103515245u + 12345u; dims[i] = 5 + (int)((s >> 16) % 96u); }
    int small[] = { 30, 35, 15, 5, 10, 20, 25 };
    int64_t c = matrix_chain(small, 6);
    char buf[4096];
    paren(0, 5, buf, 0);
    printf("CLRS chain: cost=%lld order=%s\n", (long long)c, buf);
    ck_add((uint64_t)c);
    c = matrix_chain(dims, 150);
    int l = paren(0, 149, buf, 0);
    uint64_t ph = 0; for (int i = 0; i < l; i++) ph = ph * 131 + (uint8_t)buf[i];
    printf("chain(150): cost=%lld parens hash=%016llx prefix=%.40s\n", (long long)c, (unsigned long long)ph, buf);
    ck_add((uint64_t)c); ck_add(ph);
    int freq[MAXN + 1];
    for (int i = 1; i <= MAXN; i++) { s = s * 1103515245u + 12345u; freq[i] = 1 + (int)((s >> 16) % 1000u); }
    long w1, w2;
    int64_t o1 = obst(freq, 150, 0, &w1), o2 = obst(freq, 150, 1, &w2);
    printf("optimal BST: plain=%lld knuth=%lld work %ld vs %ld root=%d\n", (long long)o1, (long long)o2, w1, w2, root[1][150]);
    ck_add((uint64_t)o1); ck_add((uint64_t)o2); ck_add((uint64_t)w2);
    int64_t px[100], py[100];
    for (int i = 0; i < 100; i++) { /* convex-ish polygon from integer circle approximation */
        int a = i * 360 / 100; int64_t r = 1000 + (i % 7) * 13;
        int64_t cx = 0, cy = 0;
        /* rough cos/sin via quadrant parabola, integer only */
        int q = a / 90, t = a % 90;
        int64_t u = (int64_t)t * (180 - t), v = (int64_t)(90 - t) * (90 + t);
        int64_t ux = v * r / 8100, uy = u * r / 8100;
        if (q == 0) { cx = ux; cy = uy; } else if (q == 1) { cx = -uy; cy = ux; } else if (q == 2) { cx = -ux; cy = -uy; } else { cx = uy; cy = -ux; }
        px[i] = cx; py[i] = cy;
    }
    int64_t tri = triangulate(px, py, 100);
    printf("polygon triangulation min perimeter sum=%lld\n", (long long)tri);
    ck_add((uint64_t)tri);
    char str[600];
    for (int i = 0; i < 599; i++) { s = s * 1103515245u + 12345u; str[i] = (char)('a' + (s >> 16) % 3u); }
    str[599] = 0;
    int pp = pal_partition(str, 599);
    printf("palindrome partition min cuts=%d\n", pp);
    ck_add((uint64_t)pp);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
