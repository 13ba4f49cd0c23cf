/* All-pairs shortest paths with Floyd-Warshall (with next-hop matrix for
 * path reconstruction), transitive closure with bitsets (Warshall), graph
 * center/radius, and negative-cycle detection on a modified graph. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xf10d0d0dULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x9e3779b97f4a7c15ULL; ck ^= ck >> 28; }

#define N 160
#define INF (1 << 29)

static int32_t dist[N][N];
static int16_t nxt[N][N];

__attribute__((noinline)) static void floyd(int n) {
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++) {
            int32_t dik = dist[i][k];
            if (dik >= INF) continue;
            for (int j = 0; j < n; j++) {
                int32_t dkj = dist[k][j];
                if (dkj >= INF) continue;
                int32_t nd = dik + dkj;
                if (nd < -INF) nd = -INF; /* clamp: negative cycles would otherwise run away */
                if (nd < dist[i][j]) { dist[i][j] = nd; nxt[i][j] = nxt[i][k]; }
            }
        }
}

__attribute__((noinline)) static int path(int u, int v, int16_t *out) {
    if (nxt[u][v] < 0) return 0;
    int len = 0;
    out[len++] = (int16_t)u;
    while (u != v && len < N) { u = nxt[u][v]; out[len++] = (int16_t)u; }
    return len;
}

#define WORDS ((N + 63) / 64)
static uint64_t reach[N][WORDS];

__attribute__((noinline)) static void closure(int n) {
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++)
            if (reach[i][k / 64] >> (k % 64) & 1)
                for (int w = 0; w < WORDS; w++) reach[i][w] |= reach[k][w];
}

static int popc(uint64_t x) { int c = 0; while (x) { x &= x - 1; c++; } return c; }

int main(void) {
    uint32_t s = 4321;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { dist[i][j] = i == j ? 0 : INF; nxt[i][j] = (int16_t)(i == j ? j : -1); }
    memset(reach, 0, sizeof reach);
    for (int e = 0; e < N * 5; e++) {
        s = s * 1103515245u + 12345u; int u = (int)((s >> 16) % N);
        s = s * 1103515245u + 12345u; int v = (int)((s >> 16) % N);
        s = s * 1103515245u + 12345u; int32_t w = (int32_t)(1 + (s >> 16) % 100u);
        if (u == v) continue;
        if (w < dist[u][v]) { dist[u][v] = w; nxt[u][v] = (int16_t)v; }
        reach[u][v / 64] |= (uint64_t)1 << (v % 64);
    }
    for (int i = 0; i < N; i++) reach[i][i / 64] |= (uint64_t)1 << (i % 64);
    floyd(N);
    closure(N);
    long reachable = 0, agree = 1; int64_t total = 0;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) {
        int r = dist[i][j] < INF, b = (int)(reach[i][j / 64] >> (j % 64) & 1);
        if (r != b) agree = 0;
        if (r) { reachable++; total += dist[i][j]; }
    }
    int pc = 0; for (int i = 0; i < N; i++) for (int w = 0; w < WORDS; w++) pc += popc(reach[i][w]);
    printf("floyd: reachable pairs=%ld (bitset %d) total=%lld agree=%ld\n", reachable, pc, (long long)total, agree);
    ck_add((uint64_t)reachable); ck_add((uint64_t)total);
    int center = -1; int32_t radius = INF;
    for (int i = 0; i < N; i++) {
        int32_t ecc = 0; int cnt = 0;
        for (int j = 0; j < N; j++) if (dist[i][j] < INF) { cnt++; if (dist[i][j] > ecc) ecc = dist[i][j]; }
        if (cnt >= N / 2 && ecc < radius) { radius = ecc; center = i; }
    }
    printf("center=%d radius=%d\n", center, radius >= INF ? -1 : radius);
    ck_add((uint64_t)center); ck_add((uint64_t)radius);
    int16_t p[N];
    int checked = 0, valid = 1;
    for (int u = 0; u < N; u += 7) for (int v = 3; v < N; v += 11) {
        int len = path(u, v, p);
        if (!len) continue;
        int32_t sum = 0;
        for (int k = 0; k + 1 < len; k++) { /* recompute with direct edge weights via dist of consecutive (they are edges) */
            sum += dist[p[k]][p[k + 1]];
        }
        if (sum != dist[u][v]) valid = 0;
        checked++;
        ck_add((uint64_t)len);
    }
    printf("paths checked=%d valid=%d\n", checked, valid);
    int16_t pp[N];
    int l = path(0, N - 1, pp);
    printf("path 0->%d:", N - 1);
    for (int k = 0; k < l; k++) printf(" %d", pp[k]);
    printf(" (cost %d)\n", l ? dist[0][N - 1] : -1);
    /* negative cycle detection: add a negative edge creating a cycle */
    int32_t before = dist[5][5];
    int a = 5, b = -1;
    for (int j = 0; j < N; j++) if (j != a && dist[a][j] < INF && dist[j][a] < INF) { b = j; break; }
    if (b >= 0) {
        dist[b][a] = -dist[a][b] - 1;
        floyd(N);
        int neg = 0; for (int i = 0; i < N; i++) neg += dist[i][i] < 0;
        printf("after negative edge %d->%d: nodes on negative cycles=%d (before d[5][5]=%d)\n", b, a, neg > 0 ? 1 : 0, before);
        ck_add((uint64_t)(neg > 0));
    }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
