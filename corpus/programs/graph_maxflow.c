/* Maximum flow: Dinic's algorithm (BFS level graph + DFS blocking flow with
 * current-arc pointers), Edmonds-Karp as reference, min-cut extraction, and
 * maximum bipartite matching reduced to flow. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xf1f2f3f4f5f6f7f8ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 26; }

struct net { int n, m, cap_m; int *head, *nxt, *to; int64_t *cap; };

static void net_init(struct net *g, int n, int maxe) {
    g->n = n; g->m = 0; g->cap_m = 2 * maxe;
    g->head = malloc(sizeof(int) * (size_t)n); for (int i = 0; i < n; i++) g->head[i] = -1;
    g->nxt = malloc(sizeof(int) * (size_t)g->cap_m); g->to = malloc(sizeof(int) * (size_t)g->cap_m); g->cap = malloc(sizeof(int64_t) * (size_t)g->cap_m);
}
static void net_free(struct net *g) { free(g->head); free(g->nxt); free(g->to); free(g->cap); }
static void add_edge(struct net *g, int u, int v, int64_t c) {
    g->to[g->m] = v; g->cap[g->m] = c; g->nxt[g->m] = g->head[u]; g->head[u] = g->m++;
    g->to[g->m] = u; g->cap[g->m] = 0; g->nxt[g->m] = g->head[v]; g->head[v] = g->m++;
}

static int *level, *it, *queue;

__attribute__((noinline)) static int bfs_level(struct net *g, int s, int t) {
    for (int i = 0; i < g->n; i++) level[i] = -1;
    int qh = 0, qt = 0; queue[qt++] = s; level[s] = 0;
    while (qh < qt) { int u = queue[qh++]; for (int e = g->head[u]; e >= 0; e = g->nxt[e]) if (g->cap[e] > 0 && level[g->to[e]] < 0) { level[g->to[e]] = level[u] + 1; queue[qt++] = g->to[e]; } }
    return level[t] >= 0;
}

static int64_t dfs_push(struct net *g, int u, int t, int64_t f) {
    if (u == t) return f;
    for (; it[u] >= 0; it[u] = g->nxt[it[u]]) {
        int e = it[u], v = g->to[e];
        if (g->cap[e] <= 0 || level[v] != level[u] + 1) continue;
        int64_t d = dfs_push(g, v, t, f < g->cap[e] ? f : g->cap[e]);
        if (d > 0) { g->cap[e] -= d; g->cap[e ^ 1] += d; return d; }
    }
    return 0;
}

__attribute__((noinline)) static int64_t dinic(struct net *g, int s, int t, int *phases) {
    int64_t flow = 0; *phases = 0;
    while (bfs_level(g, s, t)) {
        (*phases)++;
        for (int i = 0; i < g->n; i++) it[i] = g->head[i];
        int64_t f;
        while ((f = dfs_push(g, s, t, INT64_MAX)) > 0) flow += f;
    }
    return flow;
}

__attribute__((noinline)) static int64_t edmonds_karp(struct net *g, int s, int t, int *augments) {
    int *pe = malloc(sizeof(int) * (size_t)g->n);
    int64_t flow = 0; *augments = 0;
    for (;;) {
        for (int i = 0; i < g->n; i++) pe[i] = -2;
        pe[s] = -1;
        int qh = 0, qt = 0; queue[qt++] = s;
        while (qh < qt && pe[t] == -2) { int u = queue[qh++]; for (int e = g->head[u]; e >= 0; e = g->nxt[e]) if (g->cap[e] > 0 && pe[g->to[e]] == -2) { pe[g->to[e]] = e; queue[qt++] = g->to[e]; } }
        if (pe[t] == -2) break;
        int64_t f = INT64_MAX;
        for (int v = t; v != s; v = g->to[pe[v] ^ 1]) if (g->cap[pe[v]] < f) f = g->cap[pe[v]];
        for (int v = t; v != s; v = g->to[pe[v] ^ 1]) { g->cap[pe[v]] -= f; g->cap[pe[v] ^ 1] += f; }
        flow += f; (*augments)++;
    }
    free(pe);
    return flow;
}

static void build_random(struct net *g, int n, int m, uint32_t seed) {
    net_init(g, n, m + n);
    uint32_t s = seed;
    for (int i = 0; i < m; i++) {
        s = s * 1103515245u + 12345u; int u = (int)((s >> 8) % (uint32_t)n);
        s = s * 1103515245u + 12345u; int v = (int)((s >> 8) % (uint32_t)n);
        s = s * 1103515245u + 12345u;
        if (u != v) add_edge(g, u, v, 1 + (int64_t)((s >> 12) % 1000u));
    }
    for (int i = 0; i + 1 < n; i += 3) add_edge(g, i, i + 1, 50);
}

int main(void) {
    int n = 600, m = 5000;
    level = malloc(sizeof(int) * 4096); it = malloc(sizeof(int) * 4096); queue = malloc(sizeof(int) * 4096);
    for (int trial = 0; trial < 3; trial++) {
        struct net a, b;
        build_random(&a, n, m, 77u + (uint32_t)trial);
        build_random(&b, n, m, 77u + (uint32_t)trial);
        int ph, aug;
        int64_t f1 = dinic(&a, 0, n - 1, &ph), f2 = edmonds_karp(&b, 0, n - 1, &aug);
        /* min cut: reachable set in residual graph */
        bfs_level(&a, 0, n - 1);
        int side = 0; int64_t cut = 0;
        for (int u = 0; u < n; u++) if (level[u] >= 0) { side++; for (int e = a.head[u]; e >= 0; e = a.nxt[e]) if (!(e & 1) && level[a.to[e]] < 0) cut += a.cap[e] + a.cap[e ^ 1]; }
        printf("trial %d: dinic=%lld (phases %d) edmonds-karp=%lld (augments %d) cut=%lld source_side=%d\n", trial, (long long)f1, ph, (long long)f2, aug, (long long)cut, side);
        ck_add((uint64_t)f1); ck_add((uint64_t)f2); ck_add((uint64_t)cut); ck_add((uint64_t)side);
        net_free(&a); net_free(&b);
    }
    /* bipartite matching: L=800, R=800 */
    int L = 800, R = 800, S = L + R, T = S + 1;
    struct net g; net_init(&g, L + R + 2, L * 6 + L + R);
    uint32_t s = 2718;
    for (int i = 0; i < L; i++) add_edge(&g, S, i, 1);
    for (int j = 0; j < R; j++) add_edge(&g, L + j, T, 1);
    for (int i = 0; i < L; i++) for (int k = 0; k < 3 + i % 4; k++) { s = s * 1103515245u + 12345u; add_edge(&g, i, L + (int)((s >> 10) % (uint32_t)(R - 100 + (i % 100))), 1); }
    int ph;
    int64_t match = dinic(&g, S, T, &ph);
    uint64_t mh = 0;
    for (int i = 0; i < L; i++) for (int e = g.head[i]; e >= 0; e = g.nxt[e]) if (!(e & 1) && g.to[e] >= L && g.to[e] < L + R && g.cap[e] == 0) mh = mh * 31 + (uint64_t)(g.to[e] - L);
    printf("bipartite matching=%lld phases=%d hash=%016llx\n", (long long)match, ph, (unsigned long long)mh);
    ck_add((uint64_t)match); ck_add(mh);
    net_free(&g); free(level); free(it); free(queue);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
