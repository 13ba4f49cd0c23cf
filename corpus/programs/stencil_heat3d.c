/* 3D heat diffusion with a 7-point stencil and a 27-point stencil whose inner
 * body loads all 27 neighbours into locals (high register pressure), in Q12
 * fixed point on uint32 grids, with periodic energy bookkeeping. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x2545f4914f6cdd1dULL;
static void ck_add(uint64_t v) { ck ^= v; ck *= 0x9e3779b97f4a7c15ULL; ck ^= ck >> 30; }

#define D 24
#define IDX(z, y, x) (((z) * D + (y)) * D + (x))

__attribute__((noinline)) static void step7(const uint32_t *a, uint32_t *b) {
    for (int z = 1; z < D - 1; z++)
        for (int y = 1; y < D - 1; y++)
            for (int x = 1; x < D - 1; x++) {
                uint32_t c = a[IDX(z, y, x)];
                uint32_t s = a[IDX(z - 1, y, x)] + a[IDX(z + 1, y, x)] + a[IDX(z, y - 1, x)] + a[IDX(z, y + 1, x)] +
                             a[IDX(z, y, x - 1)] + a[IDX(z, y, x + 1)];
                b[IDX(z, y, x)] = (c * 2 + s + 4) / 8;
            }
}

#define LD3(p, q, zz, yy) uint32_t p##0 = a[IDX(zz, yy, x - 1)], p##1 = a[IDX(zz, yy, x)], p##2 = a[IDX(zz, yy, x + 1)]; (void)q

__attribute__((noinline)) static void step27(const uint32_t *a, uint32_t *b, uint32_t wf, uint32_t we, uint32_t wc, uint32_t wk) {
    for (int z = 1; z < D - 1; z++)
        for (int y = 1; y < D - 1; y++)
            for (int x = 1; x < D - 1; x++) {
                LD3(m, 0, z - 1, y - 1); LD3(n, 0, z - 1, y); LD3(o, 0, z - 1, y + 1);
                LD3(p, 0, z, y - 1);     LD3(q, 0, z, y);     LD3(r, 0, z, y + 1);
                LD3(s, 0, z + 1, y - 1); LD3(t, 0, z + 1, y); LD3(u, 0, z + 1, y + 1);
                uint32_t faces = n1 + t1 + p1 + r1 + q0 + q2;
                uint32_t edges = m1 + o1 + s1 + u1 + n0 + n2 + t0 + t2 + p0 + p2 + r0 + r2;
                uint32_t corners = m0 + m2 + o0 + o2 + s0 + s2 + u0 + u2;
                uint32_t mx = q1;
                if (m0 > mx) mx = m0; if (u2 > mx) mx = u2; if (o0 > mx) mx = o0; if (s2 > mx) mx = s2;
                uint32_t v = (wk * q1 + wf * faces + we * edges + wc * corners) >> 10;
                b[IDX(z, y, x)] = v > mx ? mx : v;
            }
}

static uint64_t energy(const uint32_t *a) { uint64_t e = 0; for (int i = 0; i < D * D * D; i++) e += a[i]; return e; }

int main(void) {
    size_t n = (size_t)D * D * D;
    uint32_t *a = calloc(n, 4), *b = calloc(n, 4);
    /* hot cube in the middle, warm plane at z=0 */
    for (int z = 9; z < 15; z++) for (int y = 9; y < 15; y++) for (int x = 9; x < 15; x++) a[IDX(z, y, x)] = 1000u << 12;
    for (int y = 0; y < D; y++) for (int x = 0; x < D; x++) a[IDX(0, y, x)] = (uint32_t)(x * y) << 8;
    memcpy(b, a, n * 4);
    for (int it = 0; it < 60; it++) {
        step7(a, b);
        uint32_t *t = a; a = b; b = t;
        if (it % 20 == 19) printf("7pt it=%d energy=%llu center=%u\n", it + 1, (unsigned long long)energy(a), a[IDX(12, 12, 12)]);
        ck_add(energy(a));
    }
    for (int it = 0; it < 30; it++) {
        step27(a, b, 48, 24, 12, 1024 - 6 * 48 - 12 * 24 - 8 * 12);
        uint32_t *t = a; a = b; b = t;
        ck_add(a[IDX(12, 12, 12)]); ck_add(a[IDX(3, 5, 7)]);
    }
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++) h = h * 0x100000001b3ULL ^ a[i];
    printf("27pt energy=%llu center=%u hash=%016llx\n", (unsigned long long)energy(a), a[IDX(12, 12, 12)], (unsigned long long)h);
    ck_add(h);
    free(a); free(b);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
