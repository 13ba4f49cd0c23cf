/* Longest common subsequence: full DP with reconstruction, linear-space
 * Hirschberg algorithm, bit-parallel LCS length (Allison-Dix), longest common
 * substring via DP, and a line-based diff summary built on LCS. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xd6e8feb86659fd93ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 25; }

__attribute__((noinline)) static int lcs_full(const uint8_t *a, int n, const uint8_t *b, int m, uint8_t *out) {
    uint16_t *d = calloc((size_t)((n + 1) * (m + 1)), sizeof(uint16_t));
#define DD(i, j) d[(i) * (m + 1) + (j)]
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++)
            DD(i, j) = a[i - 1] == b[j - 1] ? (uint16_t)(DD(i - 1, j - 1) + 1) : (DD(i - 1, j) > DD(i, j - 1) ? DD(i - 1, j) : DD(i, j - 1));
    int len = DD(n, m), k = len, i = n, j = m;
    while (i > 0 && j > 0) {
        if (a[i - 1] == b[j - 1]) { out[--k] = a[i - 1]; i--; j--; }
        else if (DD(i - 1, j) >= DD(i, j - 1)) i--;
        else j--;
    }
#undef DD
    free(d);
    return len;
}

static void lcs_row(const uint8_t *a, int n, const uint8_t *b, int m, int *row, int rev) {
    int *prev = calloc((size_t)m + 1, sizeof(int));
    for (int j = 0; j <= m; j++) row[j] = 0;
    for (int i = 1; i <= n; i++) {
        memcpy(prev, row, sizeof(int) * (size_t)(m + 1));
        uint8_t ai = rev ? a[n - i] : a[i - 1];
        for (int j = 1; j <= m; j++) {
            uint8_t bj = rev ? b[m - j] : b[j - 1];
            row[j] = ai == bj ? prev[j - 1] + 1 : (prev[j] > row[j - 1] ? prev[j] : row[j - 1]);
        }
    }
    free(prev);
}

static int hirschberg(const uint8_t *a, int n, const uint8_t *b, int m, uint8_t *out) {
    if (n == 0 || m == 0) return 0;
    if (n == 1) { for (int j = 0; j < m; j++) if (b[j] == a[0]) { out[0] = a[0]; return 1; } return 0; }
    int mid = n / 2;
    int *l1 = malloc(sizeof(int) * (size_t)(m + 1)), *l2 = malloc(sizeof(int) * (size_t)(m + 1));
    lcs_row(a, mid, b, m, l1, 0);
    lcs_row(a + mid, n - mid, b, m, l2, 1);
    int best = -1, k = 0;
    for (int j = 0; j <= m; j++) if (l1[j] + l2[m - j] > best) { best = l1[j] + l2[m - j]; k = j; }
    free(l1); free(l2);
    int x = hirschberg(a, mid, b, k, out);
    int y = hirschberg(a + mid, n - mid, b + k, m - k, out + x);
    return x + y;
}

/* bit-parallel LCS length for m <= 64*W */
#define W 8
__attribute__((noinline)) static int lcs_bits(const uint8_t *a, int n, const uint8_t *b, int m) {
    uint64_t match[4][W];
    memset(match, 0, sizeof match);
    for (int j = 0; j < m; j++) match[b[j] - 'a'][j / 64] |= (uint64_t)1 << (j % 64);
    uint64_t v[W];
    for (int w = 0; w < W; w++) v[w] = ~(uint64_t)0;
    for (int i = 0; i < n; i++) {
        const uint64_t *mt = match[a[i] - 'a'];
        uint64_t carry = 0;
        for (int w = 0; w < W; w++) {
            uint64_t u = v[w] & mt[w];
            uint64_t sum = v[w] + u;
            uint64_t c1 = sum < v[w];
            uint64_t sum2 = sum + carry;
            uint64_t c2 = sum2 < sum;
            carry = c1 | c2;
            v[w] = sum2 | (v[w] - u);
        }
    }
    int len = 0;
    for (int j = 0; j < m; j++) len += !((v[j / 64] >> (j % 64)) & 1);
    return len;
}

__attribute__((noinline)) static int longest_common_substring(const uint8_t *a, int n, const uint8_t *b, int m, int *endpos) {
    int *prev = calloc((size_t)m + 1, sizeof(int)), *cur = calloc((size_t)m + 1, sizeof(int));
    int best = 0;
    for (int i = 1; i <= n; i++) {
        for (int j = 1; j <= m; j++) {
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : 0;
            if (cur[j] > best) { best = cur[j]; *endpos = i; }
        }
        int *t = prev; prev = cur; cur = t;
    }
    free(prev); free(cur);
    return best;
}

static int is_subseq(const uint8_t *s, int k, const uint8_t *a, int n) { int i = 0; for (int j = 0; j < n && i < k; j++) if (a[j] == s[i]) i++; return i == k; }

int main(void) {
    uint32_t s = 5150;
    static uint8_t a[512], b[512], o1[512], o2[512];
    int tot = 0, agree = 1;
    for (int t = 0; t < 12; t++) {
        int n = 150 + t * 25, m = 500 - t * 20;
        for (int i = 0; i < n; i++) { s = s * 1664525u + 1013904223u; a[i] = (uint8_t)('a' + (s >> 30)); }
        for (int i = 0; i < m; i++) { s = s * 1664525u + 1013904223u; b[i] = (uint8_t)('a' + (s >> 30)); }
        int l1 = lcs_full(a, n, b, m, o1), l2 = hirschberg(a, n, b, m, o2), l3 = lcs_bits(a, n, b, m);
        if (l1 != l2 || l2 != l3 || !is_subseq(o2, l2, a, n) || !is_subseq(o2, l2, b, m) || !is_subseq(o1, l1, b, m)) agree = 0;
        tot += l1;
        uint64_t h = 0;
        for (int i = 0; i < l1; i++) h = h * 5 + o1[i];
        ck_add(h); ck_add((uint64_t)l1);
        int end = 0;
        int ls = longest_common_substring(a, n, b, m, &end);
        ck_add((uint64_t)(ls * 1000 + end));
        if (t % 4 == 0) printf("n=%d m=%d lcs=%d substring=%d\n", n, m, l1, ls);
    }
    printf("total lcs=%d agree=%d\n", tot, agree);
    const char *x = "the register allocator assigns physical registers", *y = "a greedy allocator assigns registers to live ranges";
    int l = lcs_full((const uint8_t *)x, (int)strlen(x), (const uint8_t *)y, (int)strlen(y), o1);
    o1[l] = 0;
    printf("lcs text (%d): \"%s\"\n", l, (const char *)o1);
    for (int i = 0; i < l; i++) ck_add(o1[i]);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
