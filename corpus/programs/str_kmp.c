/* Exact string matching: Knuth-Morris-Pratt with failure function, the
 * Z-algorithm, Rabin-Karp rolling hash, and a naive matcher as reference,
 * over a generated text with a small alphabet (many partial matches). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x6c62272e07bb0142ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; }

__attribute__((noinline)) static void kmp_table(const uint8_t *p, int m, int *fail) {
    fail[0] = 0;
    int k = 0;
    for (int i = 1; i < m; i++) {
        while (k > 0 && p[i] != p[k]) k = fail[k - 1];
        if (p[i] == p[k]) k++;
        fail[i] = k;
    }
}

__attribute__((noinline)) static int kmp_search(const uint8_t *t, int n, const uint8_t *p, int m, uint64_t *posh) {
    int *fail = malloc(sizeof(int) * (size_t)m);
    kmp_table(p, m, fail);
    int cnt = 0, k = 0;
    for (int i = 0; i < n; i++) {
        while (k > 0 && t[i] != p[k]) k = fail[k - 1];
        if (t[i] == p[k]) k++;
        if (k == m) { cnt++; *posh = *posh * 31 + (uint64_t)(i - m + 1); k = fail[k - 1]; }
    }
    free(fail);
    return cnt;
}

__attribute__((noinline)) static int z_search(const uint8_t *t, int n, const uint8_t *p, int m) {
    int len = n + m + 1;
    uint8_t *s = malloc((size_t)len);
    int *z = calloc((size_t)len, sizeof(int));
    memcpy(s, p, (size_t)m); s[m] = 0xff; memcpy(s + m + 1, t, (size_t)n);
    int l = 0, r = 0, cnt = 0;
    for (int i = 1; i < len; i++) {
        if (i < r) { z[i] = r - i < z[i - l] ? r - i : z[i - l]; }
        while (i + z[i] < len && s[z[i]] == s[i + z[i]]) z[i]++;
        if (i + z[i] > r) { l = i; r = i + z[i]; }
        if (i > m && z[i] >= m) cnt++;
    }
    free(s); free(z);
    return cnt;
}

__attribute__((noinline)) static int rabin_karp(const uint8_t *t, int n, const uint8_t *p, int m, int *collisions) {
    const uint64_t B = 257, MOD = 1000000007ULL;
    uint64_t hp = 0, ht = 0, pw = 1;
    for (int i = 0; i < m; i++) { hp = (hp * B + p[i]) % MOD; ht = (ht * B + t[i]) % MOD; if (i) pw = pw * B % MOD; }
    int cnt = 0;
    for (int i = 0; i + m <= n; i++) {
        if (hp == ht) { if (memcmp(t + i, p, (size_t)m) == 0) cnt++; else (*collisions)++; }
        if (i + m < n) { uint64_t x = (ht + MOD - t[i] * pw % MOD) % MOD; ht = (x * B + t[i + m]) % MOD; }
    }
    return cnt;
}

static int naive(const uint8_t *t, int n, const uint8_t *p, int m) {
    int c = 0;
    for (int i = 0; i + m <= n; i++) if (memcmp(t + i, p, (size_t)m) == 0) c++;
    return c;
}

int main(void) {
    int n = 60000;
    uint8_t *t = malloc((size_t)n);
    uint32_t s = 99991;
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; t[i] = (uint8_t)('a' + ((s >> 16) % 3u)); }
    for (int i = 1000; i < n; i += 4000) memcpy(t + i, "abababcabababcab", 16);
    const char *pats[] = { "ab", "abc", "aaaa", "abababcab", "cabababca", "bcbcbcbcbcbc", "abababcabababcab", "a" };
    int agree = 1, coll = 0;
    for (int k = 0; k < 8; k++) {
        const uint8_t *p = (const uint8_t *)pats[k];
        int m = (int)strlen(pats[k]);
        uint64_t ph = 0;
        int c1 = kmp_search(t, n, p, m, &ph), c2 = z_search(t, n, p, m), c3 = rabin_karp(t, n, p, m, &coll), c4 = naive(t, n, p, m);
        if (c1 != c2 || c2 != c3 || c3 != c4) agree = 0;
        printf("%-18s count=%d\n", pats[k], c1);
        ck_add((uint64_t)c1); ck_add(ph);
    }
    printf("all agree=%d rk_collisions=%d\n", agree, coll);
    ck_add((uint64_t)agree);
    int fail[64];
    const uint8_t *fp = (const uint8_t *)"aabaaabaaaabaabaaab";
    kmp_table(fp, 19, fail);
    printf("failure table:");
    for (int i = 0; i < 19; i++) { printf(" %d", fail[i]); ck_add((uint64_t)fail[i]); }
    printf("\n");
    /* period of a string via failure function */
    int periods = 0;
    for (int len = 1; len <= 40; len++) {
        uint8_t buf[64];
        for (int i = 0; i < len; i++) buf[i] = (uint8_t)('x' + (i % 3 == 0) + (i % 5 == 0));
        kmp_table(buf, len, fail);
        periods += len - fail[len - 1];
    }
    printf("sum of minimal periods=%d\n", periods);
    ck_add((uint64_t)periods);
    free(t);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
