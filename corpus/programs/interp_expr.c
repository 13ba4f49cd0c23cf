/* Expression language: a recursive-descent parser producing an AST (with
 * precedence levels for ternary, logical, comparison, bitwise, shift,
 * additive, multiplicative and unary operators, function calls and
 * variables), a tree-walking evaluator with 64-bit wrapping semantics, a
 * constant folder, and a random expression generator for cross-checking. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xe4e4e4e4e4e4ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 28; }

enum nk { N_NUM, N_VAR, N_NEG, N_NOT, N_BNOT, N_BIN, N_TERN, N_CALL };
struct node { int kind; char op[3]; int64_t val; int var; struct node *a, *b, *c; };

static struct node pool[200000];
static int npool;
static struct node *mk(int kind) { struct node *n = &pool[npool++]; memset(n, 0, sizeof *n); n->kind = kind; return n; }

struct parser { const char *s; int err; };
static void skip(struct parser *p) { while (*p->s == ' ') p->s++; }
static int accept(struct parser *p, const char *tok) { skip(p); size_t l = strlen(tok); if (!strncmp(p->s, tok, l)) { p->s += l; return 1; } return 0; }

static struct node *p_ternary(struct parser *p);

__attribute__((noinline)) static struct node *p_primary(struct parser *p) {
    skip(p);
    if (*p->s >= '0' && *p->s <= '9') { uint64_t v = 0; while (*p->s >= '0' && *p->s <= '9') v = v * 10 + (uint64_t)(*p->s++ - '0'); struct node *n = mk(N_NUM); n->val = (int64_t)v; return n; }
    if (*p->s >= 'a' && *p->s <= 'z') {
        char name[16]; int l = 0;
        while (*p->s >= 'a' && *p->s <= 'z' && l < 15) name[l++] = *p->s++;
        name[l] = 0;
        if (accept(p, "(")) {
            struct node *n = mk(N_CALL);
            n->var = !strcmp(name, "min") ? 0 : !strcmp(name, "max") ? 1 : !strcmp(name, "abs") ? 2 : !strcmp(name, "gcd") ? 3 : 4;
            n->a = p_ternary(p);
            if (accept(p, ",")) n->b = p_ternary(p);
            if (!accept(p, ")")) p->err = 1;
            return n;
        }
        struct node *n = mk(N_VAR); n->var = name[0] - 'a'; return n;
    }
    if (accept(p, "(")) { struct node *n = p_ternary(p); if (!accept(p, ")")) p->err = 1; return n; }
    p->err = 1;
    return mk(N_NUM);
}

static struct node *p_unary(struct parser *p) {
    if (accept(p, "-")) { struct node *n = mk(N_NEG); n->a = p_unary(p); return n; }
    if (accept(p, "!")) { struct node *n = mk(N_NOT); n->a = p_unary(p); return n; }
    if (accept(p, "~")) { struct node *n = mk(N_BNOT); n->a = p_unary(p); return n; }
    return p_primary(p);
}

static const char *levels[][6] = {
    { "||", 0 }, { "&&", 0 }, { "|", 0 }, { "^", 0 }, { "&", 0 }, { "==", "!=", 0 }, { "<=", ">=", "<", ">", 0 }, { "<<", ">>", 0 }, { "+", "-", 0 }, { "*", "/", "%", 0 } };
#define NLEVELS 10

static struct node *p_binary(struct parser *p, int lvl) {
    if (lvl == NLEVELS) return p_unary(p);
    struct node *lhs = p_binary(p, lvl + 1);
    for (;;) {
        skip(p);
        const char *hit = 0;
        for (int i = 0; levels[lvl][i]; i++) {
            const char *t = levels[lvl][i]; size_t l = strlen(t);
            if (strncmp(p->s, t, l)) continue;
            /* don't take '|' from '||', '&' from '&&', '<' from '<<' etc. */
            if (l == 1 && (p->s[1] == t[0] || ((t[0] == '<' || t[0] == '>') && p->s[1] == '='))) continue;
            hit = t; break;
        }
        if (!hit) return lhs;
        p->s += strlen(hit);
        struct node *n = mk(N_BIN);
        strcpy(n->op, hit);
        n->a = lhs; n->b = p_binary(p, lvl + 1);
        lhs = n;
    }
}

static struct node *p_ternary(struct parser *p) {
    struct node *c = p_binary(p, 0);
    if (accept(p, "?")) { struct node *n = mk(N_TERN); n->a = c; n->b = p_ternary(p); if (!accept(p, ":")) p->err = 1; n->c = p_ternary(p); return n; }
    return c;
}

static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

__attribute__((noinline)) static int64_t eval(const struct node *n, const int64_t *vars) {
    switch (n->kind) {
    case N_NUM: return n->val;
    case N_VAR: return vars[n->var];
    case N_NEG: return wrap_sub(0, eval(n->a, vars));
    case N_NOT: return !eval(n->a, vars);
    case N_BNOT: return ~eval(n->a, vars);
    case N_TERN: return eval(n->a, vars) ? eval(n->b, vars) : eval(n->c, vars);
    case N_CALL: {
        int64_t x = eval(n->a, vars), y = n->b ? eval(n->b, vars) : 0;
        switch (n->var) {
        case 0: return x < y ? x : y;
        case 1: return x > y ? x : y;
        case 2: return x < 0 ? wrap_sub(0, x) : x;
        case 3: { uint64_t a = (uint64_t)(x < 0 ? wrap_sub(0, x) : x), b = (uint64_t)(y < 0 ? wrap_sub(0, y) : y); while (b) { uint64_t t = a % b; a = b; b = t; } return (int64_t)a; }
        default: return 0;
        }
    }
    case N_BIN: {
        const char *o = n->op;
        if (!strcmp(o, "&&")) return eval(n->a, vars) ? eval(n->b, vars) != 0 : 0;
        if (!strcmp(o, "||")) return eval(n->a, vars) ? 1 : eval(n->b, vars) != 0;
        int64_t x = eval(n->a, vars), y = eval(n->b, vars);
        switch (o[0]) {
        case '+': return wrap_add(x, y);
        case '-': return wrap_sub(x, y);
        case '*': return wrap_mul(x, y);
        case '/': return (y == 0 || (y == -1 && x == INT64_MIN)) ? 0 : x / y;
        case '%': return (y == 0 || y == -1) ? 0 : x % y;
        case '^': return x ^ y;
        case '|': return x | y;
        case '&': return x & y;
        case '=': return x == y;
        case '!': return x != y;
        case '<': if (o[1] == '<') return (int64_t)((uint64_t)x << (y & 63)); return o[1] == '=' ? x <= y : x < y;
        case '>': if (o[1] == '>') return (int64_t)((uint64_t)x >> (y & 63)); return o[1] == '=' ? x >= y : x > y;
        }
    }
    }
    return 0;
}

/* constant folding: returns number of folded nodes */
__attribute__((noinline)) static int fold(struct node *n) {
    if (!n) return 0;
    int f = fold(n->a) + fold(n->b) + fold(n->c);
    int constant = n->kind != N_VAR && n->kind != N_NUM && (!n->a || n->a->kind == N_NUM) && (!n->b || n->b->kind == N_NUM) && (!n->c || n->c->kind == N_NUM);
    if (constant) { int64_t v = eval(n, 0); n->kind = N_NUM; n->val = v; n->a = n->b = n->c = 0; f++; }
    return f;
}

static uint32_t rs = 5;
static uint32_t rnd(uint32_t n) { rs = rs * 1103515245u + 12345u; return (rs >> 16) % n; }
static int gen(char *buf, int depth) {
    static const char *ops[] = { "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "<", "==", "&&", "||", ">=" };
    if (depth == 0 || rnd(4) == 0) {
        uint32_t r = rnd(3);
        if (r == 0) return sprintf(buf, "%c", 'a' + (int)rnd(6));
        if (r == 1) return sprintf(buf, "%u", rnd(1000));
        return sprintf(buf, "%u", rnd(10));
    }
    uint32_t form = rnd(10);
    int n = 0;
    if (form < 7) { n += sprintf(buf + n, "("); n += gen(buf + n, depth - 1); uint32_t o = rnd(15); n += sprintf(buf + n, " %s ", ops[o]); n += gen(buf + n, depth - 1); n += sprintf(buf + n, ")"); }
    else if (form == 7) { n += sprintf(buf + n, "-"); n += gen(buf + n, depth - 1); }
    else if (form == 8) { n += sprintf(buf + n, "("); n += gen(buf + n, depth - 1); n += sprintf(buf + n, " ? "); n += gen(buf + n, depth - 1); n += sprintf(buf + n, " : "); n += gen(buf + n, depth - 1); n += sprintf(buf + n, ")"); }
    else { static const char *fn[] = { "min", "max", "gcd" }; uint32_t f = rnd(3); n += sprintf(buf + n, "%s(", fn[f]); n += gen(buf + n, depth - 1); n += sprintf(buf + n, ", "); n += gen(buf + n, depth - 1); n += sprintf(buf + n, ")"); }
    return n;
}

int main(void) {
    const char *tests[] = { "1 + 2 * 3", "(1 + 2) * 3", "2 << 3 + 1", "10 - 4 - 3", "100 / 7 % 4", "-5 * -5", "1 < 2 == 1", "7 & 3 | 8 ^ 1",
                            "!0 + ~0", "a * a + b * b", "a > b ? a - b : b - a", "gcd(a * 6, b * 4) + min(a, b) * max(c, 3)", "1 || 0 && 0", "abs(0 - 123456789) * 1000000007" };
    int64_t vars[26] = { 12, 30, 7, 100, -3, 5 };
    for (int i = 0; i < 14; i++) {
        npool = 0;
        struct parser p = { tests[i], 0 };
        struct node *n = p_ternary(&p);
        int64_t v = eval(n, vars);
        printf("%-45s = %lld%s\n", tests[i], (long long)v, p.err ? " (parse error)" : "");
        ck_add((uint64_t)v);
    }
    static char buf[1 << 16];
    int folded_total = 0, mismatch = 0, errs = 0;
    uint64_t acc = 0;
    for (int t = 0; t < 300; t++) {
        gen(buf, 7);
        npool = 0;
        struct parser p = { buf, 0 };
        struct node *n = p_ternary(&p);
        errs += p.err;
        int64_t vs[26];
        for (int k = 0; k < 26; k++) vs[k] = (int64_t)rnd(2000) - 1000;
        int64_t before = eval(n, vs);
        int f = fold(n);
        int64_t after = eval(n, vs);
        if (before != after) mismatch++;
        folded_total += f;
        acc = acc * 1000003u + (uint64_t)before;
    }
    printf("random expressions: parse errors=%d folded nodes=%d fold mismatches=%d hash=%016llx\n", errs, folded_total, mismatch, (unsigned long long)acc);
    ck_add(acc); ck_add((uint64_t)folded_total);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
