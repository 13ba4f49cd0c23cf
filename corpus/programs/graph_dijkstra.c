/* Single-source shortest paths: Dijkstra with a binary heap (lazy deletion),
 * Dijkstra with an indexed heap (decrease-key), Bellman-Ford as reference, and
 * A* on a weighted grid with a Manhattan heuristic. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xd1b54a32d192ed03ULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0x100000001b3ULL; ck ^= ck >> 24; }

static uint32_t rs = 99;
static uint32_t rnd(void) { rs = rs * 1664525u + 1013904223u; return rs >> 8; }

#define INF 0x3fffffffffffffffLL
struct edge { int to; int32_t w; };
struct graph { int n, m; int *off; struct edge *e; };

struct hitem { int64_t d; int v; };
struct bheap { struct hitem *a; int n; };
static void bh_push(struct bheap *h, int64_t d, int v) {
    int i = h->n++; h->a[i] = (struct hitem){ d, v };
    while (i > 0) { int p = (i - 1) / 2; if (h->a[p].d < h->a[i].d || (h->a[p].d == h->a[i].d && h->a[p].v <= h->a[i].v)) break; struct hitem t = h->a[p]; h->a[p] = h->a[i]; h->a[i] = t; i = p; }
}
static struct hitem bh_pop(struct bheap *h) {
    struct hitem r = h->a[0]; h->a[0] = h->a[--h->n]; int i = 0;
    for (;;) {
        int l = 2 * i + 1, m = i;
        if (l < h->n && (h->a[l].d < h->a[m].d || (h->a[l].d == h->a[m].d && h->a[l].v < h->a[m].v))) m = l;
        if (l + 1 < h->n && (h->a[l + 1].d < h->a[m].d || (h->a[l + 1].d == h->a[m].d && h->a[l + 1].v < h->a[m].v))) m = l + 1;
        if (m == i) break;
        struct hitem t = h->a[m]; h->a[m] = h->a[i]; h->a[i] = t; i = m;
    }
    return r;
}

__attribute__((noinline)) static long dijkstra_lazy(const struct graph *g, int s, int64_t *dist, int *parent) {
    struct bheap h = { malloc(sizeof(struct hitem) * (size_t)(g->m + 1)), 0 };
    for (int i = 0; i < g->n; i++) { dist[i] = INF; parent[i] = -1; }
    dist[s] = 0; bh_push(&h, 0, s);
    long pops = 0;
    while (h.n) {
        struct hitem it = bh_pop(&h); pops++;
        if (it.d != dist[it.v]) continue;
        for (int k = g->off[it.v]; k < g->off[it.v + 1]; k++) {
            int64_t nd = it.d + g->e[k].w;
            int to = g->e[k].to;
            if (nd < dist[to] || (nd == dist[to] && it.v < parent[to])) { if (nd < dist[to]) { dist[to] = nd; bh_push(&h, nd, to); } parent[to] = it.v; }
        }
    }
    free(h.a);
    return pops;
}

/* indexed heap with decrease-key */
__attribute__((noinline)) static void dijkstra_indexed(const struct graph *g, int s, int64_t *dist) {
    int *heap = malloc(sizeof(int) * (size_t)g->n), *pos = malloc(sizeof(int) * (size_t)g->n), hn = 0;
    for (int i = 0; i < g->n; i++) { dist[i] = INF; pos[i] = -1; }
    dist[s] = 0; heap[hn] = s; pos[s] = hn++;
    while (hn) {
        int u = heap[0];
        heap[0] = heap[--hn]; pos[heap[0]] = 0; pos[u] = -2;
        for (int i = 0;;) {
            int l = 2 * i + 1, m = i;
            if (l < hn && dist[heap[l]] < dist[heap[m]]) m = l;
            if (l + 1 < hn && dist[heap[l + 1]] < dist[heap[m]]) m = l + 1;
            if (m == i) break;
            int t = heap[m]; heap[m] = heap[i]; heap[i] = t; pos[heap[i]] = i; pos[heap[m]] = m; i = m;
        }
        for (int k = g->off[u]; k < g->off[u + 1]; k++) {
            int v = g->e[k].to;
            int64_t nd = dist[u] + g->e[k].w;
            if (pos[v] == -2 || nd >= dist[v]) continue;
            dist[v] = nd;
            if (pos[v] < 0) { heap[hn] = v; pos[v] = hn++; }
            for (int i = pos[v]; i > 0;) {
                int p = (i - 1) / 2;
                if (dist[heap[p]] <= dist[heap[i]]) break;
                int t = heap[p]; heap[p] = heap[i]; heap[i] = t; pos[heap[i]] = i; pos[heap[p]] = p; i = p;
            }
        }
    }
    free(heap); free(pos);
}

__attribute__((noinline)) static int bellman_ford(const struct graph *g, int s, int64_t *dist) {
    for (int i = 0; i < g->n; i++) dist[i] = INF;
    dist[s] = 0;
    int rounds = 0;
    for (int r = 0; r < g->n; r++) {
        int changed = 0; rounds++;
        for (int u = 0; u < g->n; u++) {
            if (dist[u] == INF) continue;
            for (int k = g->off[u]; k < g->off[u + 1]; k++) if (dist[u] + g->e[k].w < dist[g->e[k].to]) { dist[g->e[k].to] = dist[u] + g->e[k].w; changed = 1; }
        }
        if (!changed) break;
    }
    return rounds;
}

#define AW 100
#define AH 80
__attribute__((noinline)) static int64_t astar(const uint8_t *cost, int sx, int sy, int tx, int ty, long *expanded) {
    int64_t *g = malloc(sizeof(int64_t) * AW * AH);
    struct bheap h = { malloc(sizeof(struct hitem) * AW * AH * 4), 0 };
    for (int i = 0; i < AW * AH; i++) g[i] = INF;
    g[sy * AW + sx] = 0;
    bh_push(&h, abs(tx - sx) + abs(ty - sy), sy * AW + sx);
    *expanded = 0;
    int64_t res = -1;
    while (h.n) {
        struct hitem it = bh_pop(&h);
        int u = it.v, x = u % AW, y = u / AW;
        if (it.d != g[u] + abs(tx - x) + abs(ty - y)) continue;
        (*expanded)++;
        if (x == tx && y == ty) { res = g[u]; break; }
        static const int dx[4] = { 1, -1, 0, 0 }, dy[4] = { 0, 0, 1, -1 };
        for (int d = 0; d < 4; d++) {
            int nx = x + dx[d], ny = y + dy[d];
            if (nx < 0 || ny < 0 || nx >= AW || ny >= AH || cost[ny * AW + nx] == 0) continue;
            int v = ny * AW + nx;
            int64_t ng = g[u] + cost[v];
            if (ng < g[v]) { g[v] = ng; bh_push(&h, ng + abs(tx - nx) + abs(ty - ny), v); }
        }
    }
    free(g); free(h.a);
    return res;
}

int main(void) {
    int n = 5000, m = 30000;
    struct graph g = { n, m, calloc((size_t)n + 1, sizeof(int)), malloc(sizeof(struct edge) * (size_t)m) };
    int *eu = malloc(sizeof(int) * (size_t)m);
    struct edge *tmp = malloc(sizeof(struct edge) * (size_t)m);
    for (int i = 0; i < m; i++) { int u = (int)(rnd() % (uint32_t)n); eu[i] = u; tmp[i].to = (int)(rnd() % (uint32_t)n); tmp[i].w = (int32_t)(1 + rnd() % 1000u); g.off[u + 1]++; }
    for (int i = 0; i < n; i++) g.off[i + 1] += g.off[i];
    int *fill = malloc(sizeof(int) * (size_t)n);
    memcpy(fill, g.off, sizeof(int) * (size_t)n);
    for (int i = 0; i < m; i++) g.e[fill[eu[i]]++] = tmp[i];
    int64_t *d1 = malloc(8 * (size_t)n), *d2 = malloc(8 * (size_t)n), *d3 = malloc(8 * (size_t)n);
    int *par = malloc(sizeof(int) * (size_t)n);
    long pops = dijkstra_lazy(&g, 0, d1, par);
    dijkstra_indexed(&g, 0, d2);
    int rounds = bellman_ford(&g, 0, d3);
    int agree = 1, reach = 0; int64_t sum = 0, mx = 0;
    for (int i = 0; i < n; i++) {
        if (d1[i] != d2[i] || d2[i] != d3[i]) agree = 0;
        if (d1[i] < INF) { reach++; sum += d1[i]; if (d1[i] > mx) mx = d1[i]; }
    }
    printf("random digraph: reachable=%d sum=%lld max=%lld pops=%ld bf_rounds=%d agree=%d\n", reach, (long long)sum, (long long)mx, pops, rounds, agree);
    ck_add((uint64_t)sum); ck_add((uint64_t)mx); ck_add((uint64_t)reach);
    int far = 0;
    for (int i = 0; i < n; i++) if (d1[i] < INF && d1[i] > d1[far]) far = i;
    int hops = 0;
    for (int v = far; v != 0 && hops < n; v = par[v]) { ck_add((uint64_t)v); hops++; }
    printf("path to farthest node %d: %d hops\n", far, hops);

    static uint8_t cost[AW * AH];
    for (int i = 0; i < AW * AH; i++) { uint32_t r = rnd() % 100u; cost[i] = (uint8_t)(r < 20 ? 0 : 1 + r % 9u); }
    cost[0] = 1; cost[AW * AH - 1] = 1;
    long ex;
    int64_t c = astar(cost, 0, 0, AW - 1, AH - 1, &ex);
    printf("A*: cost=%lld expanded=%ld\n", (long long)c, ex);
    ck_add((uint64_t)c); ck_add((uint64_t)ex);
    free(g.off); free(g.e); free(eu); free(tmp); free(fill); free(d1); free(d2); free(d3); free(par);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
