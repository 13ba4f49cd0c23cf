/* Suffix array by prefix doubling with radix (counting) sorts, LCP array by
 * Kasai's algorithm, count of distinct substrings, longest repeated substring,
 * and pattern counting by binary search on the suffix array. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xa5a5a5a55a5a5a5aULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0x9e3779b97f4a7c15ULL; ck ^= ck >> 29; }

__attribute__((noinline)) static void build_sa(const uint8_t *s, int n, int *sa) {
    int *rk = malloc(sizeof(int) * (size_t)n), *tmp = malloc(sizeof(int) * (size_t)n), *sa2 = malloc(sizeof(int) * (size_t)n);
    int maxc = n > 256 ? n : 256;
    int *cnt = malloc(sizeof(int) * (size_t)(maxc + 1));
    for (int i = 0; i < n; i++) { sa[i] = i; rk[i] = s[i]; }
    memset(cnt, 0, sizeof(int) * (size_t)(maxc + 1));
    for (int i = 0; i < n; i++) cnt[rk[i]]++;
    for (int i = 1; i <= maxc; i++) cnt[i] += cnt[i - 1];
    for (int i = n - 1; i >= 0; i--) sa[--cnt[rk[i]]] = i;
    for (int k = 1; ; k <<= 1) {
        int p = 0;
        for (int i = n - k; i < n; i++) sa2[p++] = i;
        for (int i = 0; i < n; i++) if (sa[i] >= k) sa2[p++] = sa[i] - k;
        memset(cnt, 0, sizeof(int) * (size_t)(maxc + 1));
        for (int i = 0; i < n; i++) cnt[rk[i]]++;
        for (int i = 1; i <= maxc; i++) cnt[i] += cnt[i - 1];
        for (int i = n - 1; i >= 0; i--) sa[--cnt[rk[sa2[i]]]] = sa2[i];
        tmp[sa[0]] = 0;
        int classes = 1;
        for (int i = 1; i < n; i++) {
            int a = sa[i - 1], b = sa[i];
            int ra = a + k < n ? rk[a + k] : -1, rb = b + k < n ? rk[b + k] : -1;
            if (rk[a] != rk[b] || ra != rb) classes++;
            tmp[b] = classes - 1;
        }
        memcpy(rk, tmp, sizeof(int) * (size_t)n);
        if (classes == n) break;
    }
    free(rk); free(tmp); free(sa2); free(cnt);
}

__attribute__((noinline)) static void kasai(const uint8_t *s, int n, const int *sa, int *lcp) {
    int *rank = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) rank[sa[i]] = i;
    int h = 0;
    for (int i = 0; i < n; i++) {
        if (rank[i] > 0) {
            int j = sa[rank[i] - 1];
            while (i + h < n && j + h < n && s[i + h] == s[j + h]) h++;
            lcp[rank[i]] = h;
            if (h > 0) h--;
        } else { lcp[0] = 0; h = 0; }
    }
    free(rank);
}

static int cmp_suffix_pat(const uint8_t *s, int n, int pos, const uint8_t *p, int m) {
    for (int i = 0; i < m; i++) {
        if (pos + i >= n) return -1;
        if (s[pos + i] != p[i]) return s[pos + i] < p[i] ? -1 : 1;
    }
    return 0;
}

__attribute__((noinline)) static int count_occ(const uint8_t *s, int n, const int *sa, const uint8_t *p, int m) {
    int lo = 0, hi = n;
    while (lo < hi) { int mid = (lo + hi) / 2; if (cmp_suffix_pat(s, n, sa[mid], p, m) < 0) lo = mid + 1; else hi = mid; }
    int first = lo;
    hi = n;
    while (lo < hi) { int mid = (lo + hi) / 2; if (cmp_suffix_pat(s, n, sa[mid], p, m) <= 0) lo = mid + 1; else hi = mid; }
    return lo - first;
}

int main(void) {
    int n = 30000;
    uint8_t *s = malloc((size_t)n);
    uint32_t r = 1;
    /* Fibonacci-word-like mixture with noise: lots of repeats */
    for (int i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        s[i] = (uint8_t)((r >> 16) % 50u == 0 ? 'c' + (r >> 20) % 3u : ((i * 0.6180339887) - (int)(i * 0.6180339887) < 0.618 ? 'a' : 'b'));
    }
    int *sa = malloc(sizeof(int) * (size_t)n), *lcp = malloc(sizeof(int) * (size_t)n);
    build_sa(s, n, sa);
    int ok = 1;
    for (int i = 1; i < 2000; i++) {
        int a = sa[i - 1], b = sa[i];
        int la = n - a, lb = n - b, l = la < lb ? la : lb;
        int c = memcmp(s + a, s + b, (size_t)l);
        if (c > 0 || (c == 0 && la > lb)) ok = 0;
    }
    kasai(s, n, sa, lcp);
    uint64_t distinct = (uint64_t)n * (uint64_t)(n + 1) / 2;
    int maxl = 0, maxpos = 0;
    for (int i = 1; i < n; i++) { distinct -= (uint64_t)lcp[i]; if (lcp[i] > maxl) { maxl = lcp[i]; maxpos = sa[i]; } }
    printf("n=%d sa_sorted_prefix_ok=%d sa[0]=%d sa[n-1]=%d\n", n, ok, sa[0], sa[n - 1]);
    printf("distinct substrings=%llu longest repeat=%d at %d\n", (unsigned long long)distinct, maxl, maxpos);
    ck_add(distinct); ck_add((uint64_t)maxl);
    for (int i = 0; i < n; i += 13) { ck_add((uint64_t)sa[i]); ck_add((uint64_t)lcp[i]); }
    const char *pats[] = { "ab", "aab", "abaab", "baba", "cab", "aabaabab", "e", "abaababaabaab" };
    for (int k = 0; k < 8; k++) {
        int m = (int)strlen(pats[k]);
        int c = count_occ(s, n, sa, (const uint8_t *)pats[k], m);
        int naive = 0;
        for (int i = 0; i + m <= n; i++) naive += memcmp(s + i, pats[k], (size_t)m) == 0;
        printf("  %-14s %d%s\n", pats[k], c, c == naive ? "" : " MISMATCH");
        ck_add((uint64_t)c);
    }
    free(s); free(sa); free(lcp);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
