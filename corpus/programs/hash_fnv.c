/* FNV-1 / FNV-1a (32 and 64 bit) over generated identifiers, an open-addressing
 * hash table with linear probing and tombstones, and a chained table with resize. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0;
static void ck_add(uint64_t v) { ck = ck * 0x5851f42d4c957f2dULL + v + 1; }

static uint32_t fnv1a32(const char *s) { uint32_t h = 2166136261u; while (*s) { h ^= (uint8_t)*s++; h *= 16777619u; } return h; }
static uint32_t fnv1_32(const char *s) { uint32_t h = 2166136261u; while (*s) { h *= 16777619u; h ^= (uint8_t)*s++; } return h; }
static uint64_t fnv1a64(const char *s) { uint64_t h = 14695981039346656037ULL; while (*s) { h ^= (uint8_t)*s++; h *= 1099511628211ULL; } return h; }

static void make_key(char *out, uint32_t i) {
    static const char *syll[] = { "ka", "lo", "mi", "ne", "ru", "ta", "zo", "pe", "shi", "xu" };
    int n = 0;
    uint32_t v = i;
    do { const char *p = syll[v % 10]; while (*p) out[n++] = *p++; v /= 10; } while (v);
    out[n++] = '_';
    out[n++] = (char)('a' + (i * 7u) % 26u);
    out[n] = 0;
}

/* open addressing */
#define OA_CAP 16384
struct slot { char key[32]; uint32_t val; uint8_t state; }; /* 0 empty, 1 used, 2 deleted */
static struct slot oa[OA_CAP];
static unsigned long probes;

__attribute__((noinline)) static int oa_find(const char *k, uint32_t h) {
    uint32_t i = h & (OA_CAP - 1);
    for (;;) {
        probes++;
        if (oa[i].state == 0) return -1;
        if (oa[i].state == 1 && strcmp(oa[i].key, k) == 0) return (int)i;
        i = (i + 1) & (OA_CAP - 1);
    }
}
__attribute__((noinline)) static void oa_put(const char *k, uint32_t v) {
    uint32_t h = fnv1a32(k);
    int f = oa_find(k, h);
    if (f >= 0) { oa[f].val = v; return; }
    uint32_t i = h & (OA_CAP - 1);
    while (oa[i].state == 1) { i = (i + 1) & (OA_CAP - 1); probes++; }
    strcpy(oa[i].key, k); oa[i].val = v; oa[i].state = 1;
}
static int oa_del(const char *k) { int f = oa_find(k, fnv1a32(k)); if (f < 0) return 0; oa[f].state = 2; return 1; }

/* chained, growing */
struct node { uint64_t h; uint32_t val; struct node *next; char key[32]; };
struct ctab { struct node **b; uint32_t nb, count; };
__attribute__((noinline)) static void ct_grow(struct ctab *t) {
    uint32_t nnb = t->nb * 2;
    struct node **nbk = calloc(nnb, sizeof *nbk);
    for (uint32_t i = 0; i < t->nb; i++) {
        struct node *n = t->b[i];
        while (n) { struct node *nx = n->next; uint32_t j = (uint32_t)(n->h % nnb); n->next = nbk[j]; nbk[j] = n; n = nx; }
    }
    free(t->b); t->b = nbk; t->nb = nnb;
}
static void ct_put(struct ctab *t, const char *k, uint32_t v) {
    uint64_t h = fnv1a64(k);
    for (struct node *n = t->b[h % t->nb]; n; n = n->next) if (n->h == h && !strcmp(n->key, k)) { n->val += v; return; }
    if (t->count * 4 >= t->nb * 3) ct_grow(t);
    struct node *n = malloc(sizeof *n);
    n->h = h; n->val = v; strcpy(n->key, k);
    n->next = t->b[h % t->nb]; t->b[h % t->nb] = n; t->count++;
}

int main(void) {
    char k[32];
    uint32_t x1 = 0, x2 = 0; uint64_t x3 = 0;
    for (uint32_t i = 0; i < 20000; i++) { make_key(k, i); x1 ^= fnv1a32(k); x2 += fnv1_32(k); x3 ^= fnv1a64(k) * (i | 1); }
    printf("fnv: a32=%08x 1_32=%08x a64=%016llx\n", x1, x2, (unsigned long long)x3);
    printf("vectors: %08x %016llx\n", fnv1a32("foobar"), (unsigned long long)fnv1a64("foobar"));
    ck_add(x1); ck_add(x2); ck_add(x3);

    for (uint32_t i = 0; i < 9000; i++) { make_key(k, i * 3); oa_put(k, i); }
    int deleted = 0;
    for (uint32_t i = 0; i < 9000; i += 4) { make_key(k, i * 3); deleted += oa_del(k); }
    for (uint32_t i = 9000; i < 11000; i++) { make_key(k, i * 3); oa_put(k, i); }
    int found = 0; uint64_t vs = 0;
    probes = 0;
    for (uint32_t i = 0; i < 33000; i++) { make_key(k, i); int f = oa_find(k, fnv1a32(k)); if (f >= 0) { found++; vs += oa[f].val; } }
    printf("open addressing: deleted=%d found=%d valsum=%llu probes=%lu\n", deleted, found, (unsigned long long)vs, probes);
    ck_add((uint64_t)found); ck_add(vs); ck_add(probes);

    struct ctab t = { calloc(8, sizeof(struct node *)), 8, 0 };
    for (uint32_t i = 0; i < 30000; i++) { make_key(k, (i * 2654435761u) % 5000u); ct_put(&t, k, i & 15); }
    uint32_t maxchain = 0, used = 0; uint64_t tot = 0;
    for (uint32_t i = 0; i < t.nb; i++) {
        uint32_t len = 0;
        for (struct node *n = t.b[i]; n; n = n->next) { len++; tot += n->val; }
        if (len) used++;
        if (len > maxchain) maxchain = len;
    }
    printf("chained: count=%u buckets=%u used=%u maxchain=%u total=%llu\n", t.count, t.nb, used, maxchain, (unsigned long long)tot);
    ck_add(t.count); ck_add(t.nb); ck_add(maxchain); ck_add(tot);
    for (uint32_t i = 0; i < t.nb; i++) { struct node *n = t.b[i]; while (n) { struct node *nx = n->next; free(n); n = nx; } }
    free(t.b);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
