/* Edit distances: Levenshtein (full table with traceback and two-row version),
 * optimal string alignment (Damerau), Hamming, and a banded Levenshtein,
 * applied to mutated copies of generated strings; also a spelling suggester. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x0f1e2d3c4b5a6978ULL;
static void ck_add(uint64_t v) { ck = ck * 0x5851f42d4c957f2dULL + (v ^ 0xdeadbeefULL); }

static int min3(int a, int b, int c) { int m = a < b ? a : b; return m < c ? m : c; }

__attribute__((noinline)) static int lev_full(const char *a, int n, const char *b, int m, char *ops) {
    int *d = malloc(sizeof(int) * (size_t)((n + 1) * (m + 1)));
#define DD(i, j) d[(i) * (m + 1) + (j)]
    for (int i = 0; i <= n; i++) DD(i, 0) = i;
    for (int j = 0; j <= m; j++) DD(0, j) = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++)
            DD(i, j) = min3(DD(i - 1, j) + 1, DD(i, j - 1) + 1, DD(i - 1, j - 1) + (a[i - 1] != b[j - 1]));
    int i = n, j = m, k = 0;
    while (i > 0 || j > 0) {
        if (i > 0 && j > 0 && DD(i, j) == DD(i - 1, j - 1) + (a[i - 1] != b[j - 1])) { ops[k++] = a[i - 1] == b[j - 1] ? '=' : 'S'; i--; j--; }
        else if (i > 0 && DD(i, j) == DD(i - 1, j) + 1) { ops[k++] = 'D'; i--; }
        else { ops[k++] = 'I'; j--; }
    }
    ops[k] = 0;
    for (int x = 0; x < k / 2; x++) { char t = ops[x]; ops[x] = ops[k - 1 - x]; ops[k - 1 - x] = t; }
    int r = DD(n, m);
#undef DD
    free(d);
    return r;
}

__attribute__((noinline)) static int lev_rows(const char *a, int n, const char *b, int m) {
    int *prev = malloc(sizeof(int) * (size_t)(m + 1)), *cur = malloc(sizeof(int) * (size_t)(m + 1));
    for (int j = 0; j <= m; j++) prev[j] = j;
    for (int i = 1; i <= n; i++) {
        cur[0] = i;
        for (int j = 1; j <= m; j++) cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]));
        int *t = prev; prev = cur; cur = t;
    }
    int r = prev[m];
    free(prev); free(cur);
    return r;
}

__attribute__((noinline)) static int osa(const char *a, int n, const char *b, int m) {
    int *d = malloc(sizeof(int) * (size_t)((n + 1) * (m + 1)));
#define DD(i, j) d[(i) * (m + 1) + (j)]
    for (int i = 0; i <= n; i++) DD(i, 0) = i;
    for (int j = 0; j <= m; j++) DD(0, j) = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int c = a[i - 1] != b[j - 1];
            int v = min3(DD(i - 1, j) + 1, DD(i, j - 1) + 1, DD(i - 1, j - 1) + c);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && DD(i - 2, j - 2) + 1 < v) v = DD(i - 2, j - 2) + 1;
            DD(i, j) = v;
        }
    int r = DD(n, m);
#undef DD
    free(d);
    return r;
}

/* banded: returns -1 if distance > k */
__attribute__((noinline)) static int lev_banded(const char *a, int n, const char *b, int m, int k) {
    if (abs(n - m) > k) return -1;
    int big = n + m + 1;
    int *prev = malloc(sizeof(int) * (size_t)(m + 1)), *cur = malloc(sizeof(int) * (size_t)(m + 1));
    for (int j = 0; j <= m; j++) prev[j] = j <= k ? j : big;
    for (int i = 1; i <= n; i++) {
        int lo = i - k > 1 ? i - k : 1, hi = i + k < m ? i + k : m;
        for (int j = 0; j <= m; j++) cur[j] = big;
        if (i <= k) cur[0] = i;
        for (int j = lo; j <= hi; j++) cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]));
        int *t = prev; prev = cur; cur = t;
    }
    int r = prev[m] <= k ? prev[m] : -1;
    free(prev); free(cur);
    return r;
}

static uint32_t rs = 2024;
static uint32_t rnd(void) { rs = rs * 1103515245u + 12345u; return rs >> 16; }

static int mutate(const char *src, int n, char *dst, int nmut) {
    memcpy(dst, src, (size_t)n);
    for (int k = 0; k < nmut; k++) {
        int op = (int)(rnd() % 4u), pos = n ? (int)(rnd() % (uint32_t)n) : 0;
        if (op == 0 && n > 0) dst[pos] = (char)('a' + rnd() % 26u);
        else if (op == 1 && n > 1) { memmove(dst + pos, dst + pos + 1, (size_t)(n - pos - 1)); n--; }
        else if (op == 2) { memmove(dst + pos + 1, dst + pos, (size_t)(n - pos)); dst[pos] = (char)('a' + rnd() % 26u); n++; }
        else if (n > 1 && pos + 1 < n) { char t = dst[pos]; dst[pos] = dst[pos + 1]; dst[pos + 1] = t; }
    }
    return n;
}

int main(void) {
    char ops[1024];
    int d = lev_full("kitten", 6, "sitting", 7, ops);
    printf("kitten->sitting: %d ops=%s\n", d, ops);
    ck_add((uint64_t)d);
    d = lev_full("intention", 9, "execution", 9, ops);
    printf("intention->execution: %d ops=%s osa(ca,ac)=%d\n", d, ops, osa("ca", 2, "ac", 2));
    ck_add((uint64_t)d);
    static char a[400], b[500];
    int tot_full = 0, tot_rows = 0, tot_osa = 0, tot_band = 0, agree = 1;
    for (int t = 0; t < 40; t++) {
        int n = 100 + (int)(rnd() % 200u);
        for (int i = 0; i < n; i++) a[i] = (char)('a' + rnd() % 6u);
        int m = mutate(a, n, b, t % 13);
        int d1 = lev_full(a, n, b, m, ops), d2 = lev_rows(a, n, b, m), d3 = osa(a, n, b, m), d4 = lev_banded(a, n, b, m, 12);
        if (d1 != d2 || d3 > d1 || (d1 <= 12 && d4 != d1) || (d1 > 12 && d4 != -1)) agree = 0;
        tot_full += d1; tot_rows += d2; tot_osa += d3; tot_band += d4;
        ck_add((uint64_t)(d1 * 1000 + d3)); ck_add((uint64_t)strlen(ops));
    }
    printf("random pairs: lev=%d rows=%d osa=%d banded=%d consistent=%d\n", tot_full, tot_rows, tot_osa, tot_band, agree);
    static const char *dict[] = { "algorithm", "allocation", "register", "spill", "compiler", "function", "variable",
                                  "pressure", "interference", "coalesce", "liveness", "instruction", "schedule", "virtual" };
    static const char *typos[] = { "algoritm", "alocation", "regsiter", "spil", "compilre", "fucntion", "varaible", "presure",
                                   "interferance", "coalese", "livenes", "instrction", "shcedule", "virutal", "registr" };
    for (int i = 0; i < 15; i++) {
        int best = 1 << 30, bi = 0;
        for (int j = 0; j < 14; j++) {
            int dd = osa(typos[i], (int)strlen(typos[i]), dict[j], (int)strlen(dict[j]));
            if (dd < best) { best = dd; bi = j; }
        }
        ck_add((uint64_t)(bi * 16 + best));
        if (i % 3 == 0) printf("suggest %s -> %s (%d)\n", typos[i], dict[bi], best);
    }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
