/* Heapsort (sift-down, bottom-up heap construction), a d-ary min-heap priority
 * queue with decrease-key, and a k-way merge of sorted lists via the heap. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t ck = 1;
static void ck_add(uint64_t v) { ck = ck * 6364136223846793005ULL + (v ^ (ck >> 27)); }

static uint32_t lcg = 2463534242u;
static uint32_t rnd(void) { lcg = lcg * 1664525u + 1013904223u; return lcg >> 8; }

static unsigned long moves;

__attribute__((noinline)) static void sift_down(int64_t *a, int start, int n) {
    int root = start;
    int64_t v = a[root];
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n) break;
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (a[child] <= v) break;
        a[root] = a[child]; moves++;
        root = child;
    }
    a[root] = v;
}

__attribute__((noinline)) static void heapsort64(int64_t *a, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) sift_down(a, i, n);
    for (int end = n - 1; end > 0; end--) {
        int64_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end);
    }
}

/* 4-ary min heap of (key, value) with position index for decrease-key */
#define D 4
struct pq { int n; uint32_t *key; int *val; int *pos; };

static void pq_swap(struct pq *q, int i, int j) {
    uint32_t tk = q->key[i]; q->key[i] = q->key[j]; q->key[j] = tk;
    int tv = q->val[i]; q->val[i] = q->val[j]; q->val[j] = tv;
    q->pos[q->val[i]] = i; q->pos[q->val[j]] = j;
}

__attribute__((noinline)) static void pq_up(struct pq *q, int i) {
    while (i > 0) {
        int p = (i - 1) / D;
        if (q->key[p] <= q->key[i]) break;
        pq_swap(q, i, p); i = p;
    }
}

__attribute__((noinline)) static void pq_down(struct pq *q, int i) {
    for (;;) {
        int best = i;
        for (int c = D * i + 1; c <= D * i + D && c < q->n; c++)
            if (q->key[c] < q->key[best]) best = c;
        if (best == i) break;
        pq_swap(q, i, best); i = best;
    }
}

static void pq_push(struct pq *q, uint32_t k, int v) {
    int i = q->n++;
    q->key[i] = k; q->val[i] = v; q->pos[v] = i;
    pq_up(q, i);
}

static int pq_pop(struct pq *q, uint32_t *k) {
    int v = q->val[0]; *k = q->key[0];
    q->n--;
    if (q->n > 0) { q->key[0] = q->key[q->n]; q->val[0] = q->val[q->n]; q->pos[q->val[0]] = 0; pq_down(q, 0); }
    q->pos[v] = -1;
    return v;
}

static void pq_decrease(struct pq *q, int v, uint32_t k) {
    int i = q->pos[v];
    if (i < 0 || q->key[i] <= k) return;
    q->key[i] = k; pq_up(q, i);
}

int main(void) {
    int n = 30000;
    int64_t *a = malloc(sizeof(int64_t) * (size_t)n);
    for (int i = 0; i < n; i++) a[i] = ((int64_t)rnd() << 20) - ((int64_t)rnd() << 18) + i;
    heapsort64(a, n);
    int ok = 1;
    uint64_t h = 0;
    for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) ok = 0;
    for (int i = 0; i < n; i++) h = h * 31 + (uint64_t)a[i];
    printf("heapsort: n=%d sorted=%d moves=%lu min=%lld max=%lld\n", n, ok, moves, (long long)a[0],
           (long long)a[n - 1]);
    ck_add(h); ck_add(moves);

    int m = 4000;
    struct pq q = { 0, malloc(sizeof(uint32_t) * (size_t)m), malloc(sizeof(int) * (size_t)m), malloc(sizeof(int) * (size_t)m) };
    for (int v = 0; v < m; v++) pq_push(&q, rnd() % 100000u + 1000u, v);
    for (int r = 0; r < 3000; r++) { int v = (int)(rnd() % (uint32_t)m); pq_decrease(&q, v, rnd() % 2000u); }
    uint32_t prev = 0, k; int order_ok = 1; uint64_t seq = 0;
    for (int i = 0; i < m; i++) {
        int v = pq_pop(&q, &k);
        if (k < prev) order_ok = 0;
        prev = k;
        seq = seq * 1000003u + (uint64_t)v * 7u + k;
    }
    printf("pq: order_ok=%d last_key=%u seqhash=%llu\n", order_ok, prev, (unsigned long long)seq);
    ck_add(seq); ck_add(prev);

    /* k-way merge of 16 sorted lists */
    enum { K = 16, L = 500 };
    static uint32_t lists[K][L];
    int idx[K];
    for (int j = 0; j < K; j++) {
        uint32_t x = rnd() % 50u;
        for (int i = 0; i < L; i++) { x += rnd() % 100u; lists[j][i] = x; }
        idx[j] = 0;
    }
    q.n = 0;
    for (int j = 0; j < K; j++) pq_push(&q, lists[j][0], j);
    uint64_t mh = 0; int cnt = 0; prev = 0; int merged_ok = 1;
    while (q.n > 0) {
        int j = pq_pop(&q, &k);
        if (k < prev) merged_ok = 0;
        prev = k; mh = mh * 131 + k; cnt++;
        if (++idx[j] < L) pq_push(&q, lists[j][idx[j]], j);
    }
    printf("kmerge: count=%d ok=%d last=%u\n", cnt, merged_ok, prev);
    ck_add(mh); ck_add((uint64_t)cnt);
    free(a); free(q.key); free(q.val); free(q.pos);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
