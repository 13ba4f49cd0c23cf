/* Minimum spanning trees: Kruskal with union-find (path halving + union by
 * rank) over sorted edges, Prim with an O(V^2) scan on a dense graph, and a
 * check that both give the same weight; plus dynamic connectivity queries and
 * counting of connected components as random edges arrive. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xc0ffee00c0ffee00ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck += ck >> 35; }

struct uf { int *p; uint8_t *rank; int comps; };
static void uf_init(struct uf *u, int n) { u->p = malloc(sizeof(int) * (size_t)n); u->rank = calloc((size_t)n, 1); u->comps = n; for (int i = 0; i < n; i++) u->p[i] = i; }
__attribute__((noinline)) static int uf_find(struct uf *u, int x) { while (u->p[x] != x) { u->p[x] = u->p[u->p[x]]; x = u->p[x]; } return x; }
__attribute__((noinline)) static int uf_union(struct uf *u, int a, int b) {
    a = uf_find(u, a); b = uf_find(u, b);
    if (a == b) return 0;
    if (u->rank[a] < u->rank[b]) { int t = a; a = b; b = t; }
    u->p[b] = a;
    if (u->rank[a] == u->rank[b]) u->rank[a]++;
    u->comps--;
    return 1;
}

struct edge { uint32_t w; int u, v; };

static void sort_edges(struct edge *e, struct edge *tmp, int n) { /* LSD radix on (w, then index stability) */
    for (int shift = 0; shift < 32; shift += 8) {
        int cnt[257] = { 0 };
        for (int i = 0; i < n; i++) cnt[((e[i].w >> shift) & 255) + 1]++;
        for (int i = 0; i < 256; i++) cnt[i + 1] += cnt[i];
        for (int i = 0; i < n; i++) tmp[cnt[(e[i].w >> shift) & 255]++] = e[i];
        memcpy(e, tmp, sizeof(struct edge) * (size_t)n);
    }
}

__attribute__((noinline)) static uint64_t kruskal(int n, struct edge *e, int m, int *used, uint64_t *treehash) {
    struct edge *tmp = malloc(sizeof(struct edge) * (size_t)m);
    sort_edges(e, tmp, m);
    struct uf u; uf_init(&u, n);
    uint64_t w = 0; *used = 0; *treehash = 0;
    for (int i = 0; i < m && *used < n - 1; i++)
        if (uf_union(&u, e[i].u, e[i].v)) { w += e[i].w; (*used)++; *treehash = *treehash * 31 + (uint64_t)(e[i].u * 1000 + e[i].v); }
    free(tmp); free(u.p); free(u.rank);
    return w;
}

__attribute__((noinline)) static uint64_t prim_dense(int n, const uint32_t *adj) {
    uint32_t *best = malloc(sizeof(uint32_t) * (size_t)n);
    uint8_t *in = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++) best[i] = UINT32_MAX;
    best[0] = 0;
    uint64_t total = 0;
    for (int it = 0; it < n; it++) {
        int u = -1;
        for (int i = 0; i < n; i++) if (!in[i] && (u < 0 || best[i] < best[u])) u = i;
        if (best[u] == UINT32_MAX) break;
        in[u] = 1; total += best[u];
        for (int v = 0; v < n; v++) { uint32_t w = adj[(size_t)u * n + v]; if (!in[v] && w && w < best[v]) best[v] = w; }
    }
    free(best); free(in);
    return total;
}

int main(void) {
    uint32_t s = 606;
    int n = 400;
    uint32_t *adj = calloc((size_t)(n * n), sizeof(uint32_t));
    int m = 0, cap = n * (n - 1) / 2;
    struct edge *e = malloc(sizeof(struct edge) * (size_t)cap);
    for (int u = 0; u < n; u++) for (int v = u + 1; v < n; v++) {
        s = s * 1103515245u + 12345u;
        if ((s >> 16) % 4u) continue;            /* keep ~25% of pairs */
        s = s * 1103515245u + 12345u;
        uint32_t w = 1 + (s >> 12) % 100000u;
        adj[u * n + v] = adj[v * n + u] = w;
        e[m++] = (struct edge){ w, u, v };
    }
    for (int u = 0; u + 1 < n; u++) if (!adj[u * n + u + 1]) { adj[u * n + u + 1] = adj[(u + 1) * n + u] = 200000; e[m++] = (struct edge){ 200000, u, u + 1 }; }
    int used; uint64_t th;
    uint64_t kw = kruskal(n, e, m, &used, &th);
    uint64_t pw = prim_dense(n, adj);
    printf("dense n=%d m=%d: kruskal=%llu prim=%llu edges=%d agree=%d\n", n, m, (unsigned long long)kw, (unsigned long long)pw, used, kw == pw);
    ck_add(kw); ck_add(pw); ck_add(th);

    /* sparse graph, incremental connectivity */
    int sn = 50000;
    struct uf u; uf_init(&u, sn);
    int milestones[] = { 10000, 25000, 50000, 100000 };
    int mi = 0;
    long same_queries = 0;
    for (int k = 1; k <= 100000; k++) {
        s = s * 1103515245u + 12345u; int a = (int)((s >> 8) % (uint32_t)sn);
        s = s * 1103515245u + 12345u; int b = (int)((s >> 8) % (uint32_t)sn);
        uf_union(&u, a, b);
        s = s * 1103515245u + 12345u; int c = (int)((s >> 8) % (uint32_t)sn);
        same_queries += uf_find(&u, a) == uf_find(&u, c);
        if (mi < 4 && k == milestones[mi]) { printf("after %d edges: components=%d\n", k, u.comps); ck_add((uint64_t)u.comps); mi++; }
    }
    printf("connected queries=%ld\n", same_queries);
    ck_add((uint64_t)same_queries);
    /* largest component size */
    int *sz = calloc((size_t)sn, sizeof(int)), big = 0;
    for (int i = 0; i < sn; i++) { int r = uf_find(&u, i); if (++sz[r] > big) big = sz[r]; }
    printf("largest component=%d\n", big);
    ck_add((uint64_t)big);
    free(adj); free(e); free(u.p); free(u.rank); free(sz);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
