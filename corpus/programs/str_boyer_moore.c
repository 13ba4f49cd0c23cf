/* Boyer-Moore with bad-character and good-suffix rules, Boyer-Moore-Horspool,
 * and a bit-parallel Shift-Or matcher, searching words in generated text. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xb5ad4eceda1ce2a9ULL;
static void ck_add(uint64_t v) { ck ^= v; ck = (ck << 13 | ck >> 51) * 0x9e3779b97f4a7c15ULL; }

static long shifts_total;

__attribute__((noinline)) static void good_suffix(const uint8_t *p, int m, int *gs) {
    int *suff = malloc(sizeof(int) * (size_t)m);
    suff[m - 1] = m;
    int g = m - 1, f = 0;
    for (int i = m - 2; i >= 0; i--) {
        if (i > g && suff[i + m - 1 - f] < i - g) suff[i] = suff[i + m - 1 - f];
        else {
            if (i < g) g = i;
            f = i;
            while (g >= 0 && p[g] == p[g + m - 1 - f]) g--;
            suff[i] = f - g;
        }
    }
    for (int i = 0; i < m; i++) gs[i] = m;
    int j = 0;
    for (int i = m - 1; i >= 0; i--)
        if (suff[i] == i + 1)
            for (; j < m - 1 - i; j++) if (gs[j] == m) gs[j] = m - 1 - i;
    for (int i = 0; i <= m - 2; i++) gs[m - 1 - suff[i]] = m - 1 - i;
    free(suff);
}

__attribute__((noinline)) static int bm_search(const uint8_t *t, int n, const uint8_t *p, int m) {
    int bc[256], *gs = malloc(sizeof(int) * (size_t)m);
    for (int i = 0; i < 256; i++) bc[i] = m;
    for (int i = 0; i < m - 1; i++) bc[p[i]] = m - 1 - i;
    good_suffix(p, m, gs);
    int cnt = 0, j = 0;
    while (j <= n - m) {
        int i = m - 1;
        while (i >= 0 && p[i] == t[i + j]) i--;
        if (i < 0) { cnt++; j += gs[0]; shifts_total++; }
        else {
            int s1 = gs[i], s2 = bc[t[i + j]] - m + 1 + i;
            j += s1 > s2 ? s1 : s2;
            shifts_total++;
        }
    }
    free(gs);
    return cnt;
}

__attribute__((noinline)) static int horspool(const uint8_t *t, int n, const uint8_t *p, int m) {
    int bc[256];
    for (int i = 0; i < 256; i++) bc[i] = m;
    for (int i = 0; i < m - 1; i++) bc[p[i]] = m - 1 - i;
    int cnt = 0;
    for (int j = 0; j <= n - m; j += bc[t[j + m - 1]]) {
        if (t[j + m - 1] == p[m - 1] && memcmp(t + j, p, (size_t)(m - 1)) == 0) cnt++;
    }
    return cnt;
}

__attribute__((noinline)) static int shift_or(const uint8_t *t, int n, const uint8_t *p, int m) {
    uint64_t mask[256];
    for (int i = 0; i < 256; i++) mask[i] = ~(uint64_t)0;
    for (int i = 0; i < m; i++) mask[p[i]] &= ~((uint64_t)1 << i);
    uint64_t st = ~(uint64_t)0;
    int cnt = 0;
    for (int i = 0; i < n; i++) {
        st = (st << 1) | mask[t[i]];
        if (!(st & ((uint64_t)1 << (m - 1)))) cnt++;
    }
    return cnt;
}

int main(void) {
    static const char *words[] = { "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "pack", "my", "box",
                                   "with", "five", "dozen", "liquor", "jugs", "sphinx", "of", "black", "quartz", "judge", "vow" };
    int nw = (int)(sizeof words / sizeof words[0]);
    int cap = 200000, n = 0;
    uint8_t *t = malloc((size_t)cap);
    uint32_t s = 31337;
    while (n < cap - 16) {
        s = s * 1664525u + 1013904223u;
        const char *w = words[(s >> 16) % (uint32_t)nw];
        size_t l = strlen(w);
        memcpy(t + n, w, l); n += (int)l;
        t[n++] = (uint8_t)(((s >> 8) & 15) == 0 ? '.' : ' ');
    }
    const char *pats[] = { "fox", "lazy dog", "the quick", "quartz judge", "of black", "jugs.", "sphinx of", "dozen liquor jugs", "zzz", "x j" };
    int agree = 1;
    for (int k = 0; k < 10; k++) {
        const uint8_t *p = (const uint8_t *)pats[k];
        int m = (int)strlen(pats[k]);
        int a = bm_search(t, n, p, m), b = horspool(t, n, p, m), c = shift_or(t, n, p, m);
        if (a != b || b != c) agree = 0;
        printf("'%s': %d\n", pats[k], a);
        ck_add((uint64_t)a);
    }
    printf("agree=%d bm_shifts=%ld textlen=%d\n", agree, shifts_total, n);
    ck_add((uint64_t)shifts_total); ck_add((uint64_t)agree);
    int gs[32];
    good_suffix((const uint8_t *)"ANPANMAN", 8, gs);
    printf("gs(ANPANMAN):");
    for (int i = 0; i < 8; i++) { printf(" %d", gs[i]); ck_add((uint64_t)gs[i]); }
    printf("\n");
    free(t);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
