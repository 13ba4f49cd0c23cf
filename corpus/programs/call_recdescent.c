/* A recursive-descent JSON parser building a DOM (objects, arrays, strings
 * with escapes, numbers as scaled integers, literals), a serializer, a deep
 * structural hash and path queries. Every grammar rule is a separate
 * non-inlined function, giving deep call chains. Input is generated. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x15015015015ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 28; }

enum jt { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };
struct jv { int type; int64_t num; char *str; int n, cap; struct jv **items; char **keys; };

struct P { const char *s; int err; int depth, maxdepth; };

static struct jv *mkv(int t) { struct jv *v = calloc(1, sizeof *v); v->type = t; return v; }
__attribute__((noinline)) static void push_item(struct jv *a, char *key, struct jv *v) {
    if (a->n == a->cap) { a->cap = a->cap ? a->cap * 2 : 4; a->items = realloc(a->items, sizeof(*a->items) * (size_t)a->cap); a->keys = realloc(a->keys, sizeof(*a->keys) * (size_t)a->cap); }
    a->items[a->n] = v; a->keys[a->n] = key; a->n++;
}
static void jfree(struct jv *v) { if (!v) return; for (int i = 0; i < v->n; i++) { jfree(v->items[i]); free(v->keys[i]); } free(v->items); free(v->keys); free(v->str); free(v); }

__attribute__((noinline)) static void ws(struct P *p) { while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r') p->s++; }
static struct jv *value(struct P *p);

__attribute__((noinline)) static char *string_lit(struct P *p) {
    if (*p->s != '"') { p->err = 1; return 0; }
    p->s++;
    size_t cap = 16, n = 0;
    char *out = malloc(cap);
    while (*p->s && *p->s != '"') {
        char c = *p->s++;
        if (c == '\\') {
            char e = *p->s++;
            switch (e) {
            case 'n': c = '\n'; break; case 't': c = '\t'; break; case '"': c = '"'; break; case '\\': c = '\\'; break; case '/': c = '/'; break;
            case 'u': { unsigned v = 0; for (int i = 0; i < 4 && *p->s; i++) { char h = *p->s++; v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10); } c = (char)(v & 0x7f); break; }
            default: p->err = 1; c = '?';
            }
        }
        if (n + 2 > cap) { cap *= 2; out = realloc(out, cap); }
        out[n++] = c;
    }
    if (*p->s != '"') p->err = 1; else p->s++;
    out[n] = 0;
    return out;
}

__attribute__((noinline)) static struct jv *number(struct P *p) {
    struct jv *v = mkv(J_NUM);
    int neg = 0; uint64_t ip = 0, fp = 0; int fd = 0;
    if (*p->s == '-') { neg = 1; p->s++; }
    if (!(*p->s >= '0' && *p->s <= '9')) p->err = 1;
    while (*p->s >= '0' && *p->s <= '9') ip = ip * 10 + (uint64_t)(*p->s++ - '0');
    if (*p->s == '.') { p->s++; while (*p->s >= '0' && *p->s <= '9') { if (fd < 3) { fp = fp * 10 + (uint64_t)(*p->s - '0'); fd++; } p->s++; } }
    while (fd < 3) { fp *= 10; fd++; }
    uint64_t mag = ip * 1000 + fp;  /* fixed point, 3 decimals */
    v->num = neg ? -(int64_t)mag : (int64_t)mag;
    return v;
}

__attribute__((noinline)) static struct jv *array(struct P *p) {
    struct jv *a = mkv(J_ARR);
    p->s++; ws(p);
    if (*p->s == ']') { p->s++; return a; }
    for (;;) {
        push_item(a, 0, value(p));
        ws(p);
        if (*p->s == ',') { p->s++; continue; }
        if (*p->s == ']') { p->s++; return a; }
        p->err = 1; return a;
    }
}

__attribute__((noinline)) static struct jv *object(struct P *p) {
    struct jv *o = mkv(J_OBJ);
    p->s++; ws(p);
    if (*p->s == '}') { p->s++; return o; }
    for (;;) {
        ws(p);
        char *k = string_lit(p);
        ws(p);
        if (*p->s != ':') { p->err = 1; free(k); return o; }
        p->s++;
        push_item(o, k, value(p));
        ws(p);
        if (*p->s == ',') { p->s++; continue; }
        if (*p->s == '}') { p->s++; return o; }
        p->err = 1; return o;
    }
}

__attribute__((noinline)) static struct jv *literal(struct P *p) {
    if (!strncmp(p->s, "true", 4)) { p->s += 4; return mkv(J_TRUE); }
    if (!strncmp(p->s, "false", 5)) { p->s += 5; return mkv(J_FALSE); }
    if (!strncmp(p->s, "null", 4)) { p->s += 4; return mkv(J_NULL); }
    p->err = 1; if (*p->s) p->s++;
    return mkv(J_NULL);
}

static struct jv *value(struct P *p) {
    ws(p);
    if (++p->depth > p->maxdepth) p->maxdepth = p->depth;
    struct jv *v;
    switch (*p->s) {
    case '{': v = object(p); break;
    case '[': v = array(p); break;
    case '"': v = mkv(J_STR); v->str = string_lit(p); break;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': v = number(p); break;
    default: v = literal(p); break;
    }
    p->depth--;
    return v;
}

struct sb { char *b; size_t n, cap; };
static void sb_put(struct sb *s, const char *t, size_t l) { if (s->n + l + 1 > s->cap) { while (s->n + l + 1 > s->cap) s->cap = s->cap ? s->cap * 2 : 256; s->b = realloc(s->b, s->cap); } memcpy(s->b + s->n, t, l); s->n += l; s->b[s->n] = 0; }
static void sb_str(struct sb *s, const char *t) { sb_put(s, "\"", 1); for (; *t; t++) { if (*t == '"' || *t == '\\') sb_put(s, "\\", 1); if (*t == '\n') { sb_put(s, "\\n", 2); continue; } sb_put(s, t, 1); } sb_put(s, "\"", 1); }

__attribute__((noinline)) static void serialize(const struct jv *v, struct sb *s) {
    char tmp[48];
    switch (v->type) {
    case J_NULL: sb_put(s, "null", 4); break;
    case J_TRUE: sb_put(s, "true", 4); break;
    case J_FALSE: sb_put(s, "false", 5); break;
    case J_NUM: { int64_t a = v->num < 0 ? -v->num : v->num; int l = sprintf(tmp, "%s%lld.%03lld", v->num < 0 ? "-" : "", (long long)(a / 1000), (long long)(a % 1000)); sb_put(s, tmp, (size_t)l); break; }
    case J_STR: sb_str(s, v->str); break;
    case J_ARR: sb_put(s, "[", 1); for (int i = 0; i < v->n; i++) { if (i) sb_put(s, ",", 1); serialize(v->items[i], s); } sb_put(s, "]", 1); break;
    case J_OBJ: sb_put(s, "{", 1); for (int i = 0; i < v->n; i++) { if (i) sb_put(s, ",", 1); sb_str(s, v->keys[i]); sb_put(s, ":", 1); serialize(v->items[i], s); } sb_put(s, "}", 1); break;
    }
}

__attribute__((noinline)) static uint64_t jhash(const struct jv *v) {
    uint64_t h = (uint64_t)v->type * 0x9e3779b97f4a7c15ULL;
    if (v->type == J_NUM) h ^= (uint64_t)v->num;
    if (v->type == J_STR) for (const char *c = v->str; *c; c++) h = h * 31 + (uint8_t)*c;
    for (int i = 0; i < v->n; i++) { h = h * 1000003u ^ jhash(v->items[i]); if (v->keys) for (const char *c = v->keys[i]; c && *c; c++) h += (uint8_t)*c; }
    return h;
}

static uint32_t rs = 12;
static uint32_t rnd(uint32_t n) { rs = rs * 1103515245u + 12345u; return (rs >> 16) % n; }
static void gen(struct sb *s, int depth) {
    char tmp[64];
    uint32_t k = depth <= 0 ? 2 + rnd(5) : rnd(8);
    switch (k) {
    case 0: case 1: {
        uint32_t cnt = rnd(5);
        sb_put(s, "{", 1);
        for (uint32_t i = 0; i < cnt; i++) { if (i) sb_put(s, ", ", 2); int l = sprintf(tmp, "\"key%u\": ", rnd(20)); sb_put(s, tmp, (size_t)l); gen(s, depth - 1); }
        sb_put(s, "}", 1); break;
    }
    case 2: case 3: {
        if (depth <= 0) { uint32_t sg = rnd(2), ip = rnd(100000), fp = rnd(1000); int l = sprintf(tmp, "%s%u.%u", sg ? "-" : "", ip, fp); sb_put(s, tmp, (size_t)l); break; }
        uint32_t cnt = rnd(6);
        sb_put(s, "[ ", 2);
        for (uint32_t i = 0; i < cnt; i++) { if (i) sb_put(s, ",\n ", 3); gen(s, depth - 1); }
        sb_put(s, "]", 1); break;
    }
    case 4: { int l = sprintf(tmp, "\"str\\\"%u\\n\\u0041\"", rnd(1000)); sb_put(s, tmp, (size_t)l); break; }
    case 5: { uint32_t b = rnd(2); sb_put(s, b ? "true" : "false", b ? 4 : 5); break; }
    case 6: sb_put(s, "null", 4); break;
    default: { int l = sprintf(tmp, "%u", rnd(1u << 30)); sb_put(s, tmp, (size_t)l); break; }
    }
}

int main(void) {
    uint64_t tot = 0; long bytes = 0; int errs = 0, rt_ok = 0, maxd = 0;
    for (int t = 0; t < 60; t++) {
        struct sb src = { 0, 0, 0 };
        gen(&src, 6);
        struct P p = { src.b, 0, 0, 0 };
        struct jv *v = value(&p);
        errs += p.err;
        if (p.maxdepth > maxd) maxd = p.maxdepth;
        struct sb out = { 0, 0, 0 };
        serialize(v, &out);
        struct P p2 = { out.b, 0, 0, 0 };
        struct jv *v2 = value(&p2);
        struct sb out2 = { 0, 0, 0 };
        serialize(v2, &out2);
        rt_ok += !p2.err && out.n == out2.n && !memcmp(out.b, out2.b, out.n) && jhash(v) == jhash(v2);
        uint64_t h = jhash(v);
        tot = tot * 31 + h; bytes += (long)src.n;
        ck_add(h); ck_add(out.n);
        if (t == 0) printf("sample: %.100s...\n", out.b);
        jfree(v); jfree(v2); free(src.b); free(out.b); free(out2.b);
    }
    printf("documents=60 source bytes=%ld parse errors=%d roundtrips ok=%d max depth=%d hash=%016llx\n", bytes, errs, rt_ok, maxd, (unsigned long long)tot);
    const char *bad[] = { "{\"a\":}", "[1,2", "{\"a\" 1}", "tru", "[1,]", "\"unterminated" };
    for (int i = 0; i < 6; i++) { struct P p = { bad[i], 0, 0, 0 }; struct jv *v = value(&p); printf("bad[%d] err=%d\n", i, p.err); ck_add((uint64_t)p.err); jfree(v); }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
