/* Cellular automata: Conway's Game of Life on a torus (byte grid), HighLife
 * (B36/S23), a bit-packed Life using 64-bit words with full-adder logic, and
 * the 1D elementary rule 110. Cross-checks byte and bit-packed versions. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x1b873593ULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0xff51afd7ed558ccdULL; ck ^= ck >> 32; }

#define GW 64
#define GH 64

__attribute__((noinline)) static void step_bytes(const uint8_t *g, uint8_t *n, int birth_mask, int survive_mask) {
    for (int y = 0; y < GH; y++) {
        int ym = (y + GH - 1) % GH, yp = (y + 1) % GH;
        for (int x = 0; x < GW; x++) {
            int xm = (x + GW - 1) % GW, xp = (x + 1) % GW;
            int c = g[ym * GW + xm] + g[ym * GW + x] + g[ym * GW + xp] + g[y * GW + xm] + g[y * GW + xp] +
                    g[yp * GW + xm] + g[yp * GW + x] + g[yp * GW + xp];
            int alive = g[y * GW + x];
            n[y * GW + x] = (uint8_t)(alive ? (survive_mask >> c) & 1 : (birth_mask >> c) & 1);
        }
    }
}

static uint64_t rotl1(uint64_t x) { return x << 1 | x >> 63; }
static uint64_t rotr1(uint64_t x) { return x >> 1 | x << 63; }

/* bit-packed: one uint64 per row, bit x = cell x; counts via bitwise adders */
__attribute__((noinline)) static void step_bits(const uint64_t *g, uint64_t *n) {
    for (int y = 0; y < GH; y++) {
        uint64_t up = g[(y + GH - 1) % GH], mid = g[y], dn = g[(y + 1) % GH];
        uint64_t a0 = rotr1(up), a1 = up, a2 = rotl1(up), a3 = rotr1(mid), a4 = rotl1(mid), a5 = rotr1(dn), a6 = dn, a7 = rotl1(dn);
        /* sum 8 one-bit inputs into bits s0 s1 s2 (value 8 folds into s0=s1=s2=0 with s3) */
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        uint64_t in[8] = { a0, a1, a2, a3, a4, a5, a6, a7 };
        for (int i = 0; i < 8; i++) {
            uint64_t c0 = s0 & in[i]; s0 ^= in[i];
            uint64_t c1 = s1 & c0; s1 ^= c0;
            uint64_t c2 = s2 & c1; s2 ^= c1;
            s3 |= c2;
        }
        uint64_t three = s0 & s1 & ~s2 & ~s3, two = ~s0 & s1 & ~s2 & ~s3;
        n[y] = three | (mid & two);
    }
}

__attribute__((noinline)) static int count_bytes(const uint8_t *g) { int c = 0; for (int i = 0; i < GW * GH; i++) c += g[i]; return c; }

__attribute__((noinline)) static void rule_1d(uint8_t *cells, int n, int rule, int steps, uint64_t *hash) {
    uint8_t tmp[512];
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < n; i++) {
            int l = cells[(i + n - 1) % n], c = cells[i], r = cells[(i + 1) % n];
            tmp[i] = (uint8_t)((rule >> (l << 2 | c << 1 | r)) & 1);
        }
        memcpy(cells, tmp, (size_t)n);
        uint64_t h = 0;
        for (int i = 0; i < n; i++) h = h * 3 + cells[i];
        *hash ^= h + (uint64_t)s;
    }
}

int main(void) {
    static uint8_t g[GW * GH], n[GW * GH];
    static uint64_t bg[GH], bn[GH];
    uint32_t s = 12345;
    for (int i = 0; i < GW * GH; i++) { s = s * 1103515245u + 12345u; g[i] = (uint8_t)((s >> 16) % 3u == 0); }
    for (int y = 0; y < GH; y++) { bg[y] = 0; for (int x = 0; x < GW; x++) if (g[y * GW + x]) bg[y] |= (uint64_t)1 << x; }
    int agree = 1;
    const int B3 = 1 << 3, S23 = 1 << 2 | 1 << 3;
    for (int gen = 1; gen <= 200; gen++) {
        step_bytes(g, n, B3, S23); memcpy(g, n, sizeof g);
        step_bits(bg, bn); memcpy(bg, bn, sizeof bg);
        for (int y = 0; y < GH; y++) for (int x = 0; x < GW; x++) if (((bg[y] >> x) & 1) != g[y * GW + x]) agree = 0;
        if (gen % 50 == 0) printf("life gen %d: population=%d\n", gen, count_bytes(g));
        ck_add((uint64_t)count_bytes(g));
    }
    printf("byte/bit agree=%d\n", agree);
    ck_add((uint64_t)agree);
    /* glider on empty torus returns after 4*GW generations */
    memset(bg, 0, sizeof bg);
    bg[1] = (uint64_t)1 << 2; bg[2] = (uint64_t)1 << 3; bg[3] = (uint64_t)7 << 1;
    uint64_t start[GH]; memcpy(start, bg, sizeof bg);
    for (int gen = 0; gen < 4 * GW; gen++) { step_bits(bg, bn); memcpy(bg, bn, sizeof bg); }
    printf("glider period check=%d\n", memcmp(start, bg, sizeof bg) == 0);
    ck_add((uint64_t)(memcmp(start, bg, sizeof bg) == 0));

    for (int i = 0; i < GW * GH; i++) { s = s * 1103515245u + 12345u; g[i] = (uint8_t)((s >> 16) % 4u == 0); }
    const int B36 = 1 << 3 | 1 << 6;
    for (int gen = 0; gen < 150; gen++) { step_bytes(g, n, B36, S23); memcpy(g, n, sizeof g); }
    printf("highlife population=%d\n", count_bytes(g));
    ck_add((uint64_t)count_bytes(g));

    uint8_t cells[300] = { 0 };
    cells[299] = 1;
    uint64_t h = 0;
    rule_1d(cells, 300, 110, 300, &h);
    int ones = 0; for (int i = 0; i < 300; i++) ones += cells[i];
    printf("rule110: ones=%d hash=%016llx\n", ones, (unsigned long long)h);
    ck_add(h);
    memset(cells, 0, sizeof cells); cells[150] = 1; h = 0;
    rule_1d(cells, 300, 30, 200, &h);
    ck_add(h);
    printf("rule30 hash=%016llx\n", (unsigned long long)h);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
