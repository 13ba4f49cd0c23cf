/* LSD radix sort (8-bit and 11-bit digits) for 32/64-bit keys, MSD radix sort
 * for byte strings, counting sort, and signed-key handling via bias flipping. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x84222325cbf29ce4ULL;
static void ck_add(uint64_t v) { ck += v; ck ^= ck << 13; ck ^= ck >> 7; ck ^= ck << 17; }

static uint64_t st = 0x243f6a8885a308d3ULL;
static uint64_t next64(void) { /* splitmix64 */
    uint64_t z = (st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

__attribute__((noinline)) static void radix32(uint32_t *a, uint32_t *tmp, int n) {
    for (int shift = 0; shift < 32; shift += 8) {
        unsigned cnt[257];
        memset(cnt, 0, sizeof cnt);
        for (int i = 0; i < n; i++) cnt[((a[i] >> shift) & 0xffu) + 1]++;
        for (int i = 0; i < 256; i++) cnt[i + 1] += cnt[i];
        for (int i = 0; i < n; i++) tmp[cnt[(a[i] >> shift) & 0xffu]++] = a[i];
        memcpy(a, tmp, sizeof(uint32_t) * (size_t)n);
    }
}

__attribute__((noinline)) static void radix64_11(uint64_t *a, uint64_t *tmp, int n) {
    uint64_t *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 11) {
        static unsigned cnt[2049];
        memset(cnt, 0, sizeof cnt);
        for (int i = 0; i < n; i++) cnt[((src[i] >> shift) & 0x7ffu) + 1]++;
        for (int i = 0; i < 2048; i++) cnt[i + 1] += cnt[i];
        for (int i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & 0x7ffu]++] = src[i];
        uint64_t *t = src; src = dst; dst = t;
    }
    if (src != a) memcpy(a, src, sizeof(uint64_t) * (size_t)n);
}

__attribute__((noinline)) static void radix_signed(int32_t *a, int32_t *tmp, int n) {
    uint32_t *u = malloc(sizeof(uint32_t) * (size_t)n), *ut = malloc(sizeof(uint32_t) * (size_t)n);
    for (int i = 0; i < n; i++) u[i] = (uint32_t)a[i] ^ 0x80000000u;
    radix32(u, ut, n);
    for (int i = 0; i < n; i++) { uint32_t x = u[i] ^ 0x80000000u; memcpy(&tmp[i], &x, 4); }
    memcpy(a, tmp, sizeof(int32_t) * (size_t)n);
    free(u); free(ut);
}

#define SL 8
static void msd_strings(uint8_t (*s)[SL], uint8_t (*tmp)[SL], int lo, int hi, int d) {
    if (hi - lo < 2 || d >= SL) return;
    if (hi - lo < 12) { /* insertion sort on suffix */
        for (int i = lo + 1; i < hi; i++) {
            uint8_t v[SL]; memcpy(v, s[i], SL);
            int j = i - 1;
            while (j >= lo && memcmp(s[j] + d, v + d, (size_t)(SL - d)) > 0) { memcpy(s[j + 1], s[j], SL); j--; }
            memcpy(s[j + 1], v, SL);
        }
        return;
    }
    int cnt[258];
    memset(cnt, 0, sizeof cnt);
    for (int i = lo; i < hi; i++) cnt[s[i][d] + 2]++;
    for (int r = 0; r < 256; r++) cnt[r + 2] += cnt[r + 1];
    for (int i = lo; i < hi; i++) memcpy(tmp[cnt[s[i][d] + 1]++], s[i], SL);
    for (int i = lo; i < hi; i++) memcpy(s[i], tmp[i - lo], SL);
    for (int r = 0; r < 256; r++) msd_strings(s, tmp, lo + cnt[r], lo + cnt[r + 1], d + 1);
}

__attribute__((noinline)) static void counting_sort(uint16_t *a, int n, int maxv) {
    int *cnt = calloc((size_t)maxv + 1, sizeof(int));
    for (int i = 0; i < n; i++) cnt[a[i]]++;
    int k = 0;
    for (int v = 0; v <= maxv; v++) for (int c = 0; c < cnt[v]; c++) a[k++] = (uint16_t)v;
    free(cnt);
}

int main(void) {
    int n = 40000;
    uint32_t *a = malloc(4 * (size_t)n), *t = malloc(4 * (size_t)n);
    for (int i = 0; i < n; i++) a[i] = (uint32_t)next64();
    radix32(a, t, n);
    int ok = 1; uint64_t h = 0;
    for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) ok = 0;
    for (int i = 0; i < n; i += 3) h = h * 1099511628211ULL ^ a[i];
    printf("radix32: ok=%d a[0]=%u a[n-1]=%u\n", ok, a[0], a[n - 1]);
    ck_add(h);

    int m = 20000;
    uint64_t *b = malloc(8 * (size_t)m), *bt = malloc(8 * (size_t)m);
    for (int i = 0; i < m; i++) b[i] = next64();
    radix64_11(b, bt, m);
    ok = 1; h = 0;
    for (int i = 1; i < m; i++) if (b[i - 1] > b[i]) ok = 0;
    for (int i = 0; i < m; i += 5) h += b[i] >> 3;
    printf("radix64: ok=%d median_hi=%08llx\n", ok, (unsigned long long)(b[m / 2] >> 32));
    ck_add(h);

    int32_t *c = malloc(4 * (size_t)n), *ct = malloc(4 * (size_t)n);
    for (int i = 0; i < n; i++) c[i] = (int32_t)(next64() % 200001u) - 100000;
    radix_signed(c, ct, n);
    ok = 1;
    for (int i = 1; i < n; i++) if (c[i - 1] > c[i]) ok = 0;
    printf("signed: ok=%d min=%d max=%d mid=%d\n", ok, c[0], c[n - 1], c[n / 2]);
    ck_add((uint64_t)(uint32_t)c[0]); ck_add((uint64_t)(uint32_t)c[n / 3]);

    int ns = 6000;
    uint8_t (*s)[SL] = malloc((size_t)ns * SL), (*stmp)[SL] = malloc((size_t)ns * SL);
    for (int i = 0; i < ns; i++) {
        uint64_t r = next64();
        for (int j = 0; j < SL; j++) { s[i][j] = (uint8_t)('a' + (r % 6)); r /= 6; }
    }
    msd_strings(s, stmp, 0, ns, 0);
    ok = 1; h = 0;
    for (int i = 1; i < ns; i++) if (memcmp(s[i - 1], s[i], SL) > 0) ok = 0;
    for (int i = 0; i < ns; i++) for (int j = 0; j < SL; j++) h = h * 33 + s[i][j];
    printf("msd strings: ok=%d first=%.8s last=%.8s\n", ok, (const char *)s[0], (const char *)s[ns - 1]);
    ck_add(h);

    uint16_t *d = malloc(2 * (size_t)n);
    for (int i = 0; i < n; i++) d[i] = (uint16_t)((next64() >> 20) % 1000u);
    counting_sort(d, n, 999);
    h = 0;
    for (int i = 0; i < n; i++) h = h * 7 + d[i];
    printf("counting: d[0]=%u d[n/2]=%u d[n-1]=%u\n", d[0], d[n / 2], d[n - 1]);
    ck_add(h);
    free(a); free(t); free(b); free(bt); free(c); free(ct); free(s); free(stmp); free(d);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
