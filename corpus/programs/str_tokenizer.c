/* A tokenizer for a small C-like language driven by a character-class state
 * machine: identifiers, keywords (perfect-ish hash lookup), integer/hex/float
 * literals, string/char literals with escapes, comments and multi-char
 * operators. Tokenizes a generated source text and gathers statistics. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x84222325cbf29ce4ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; }

enum tok { T_EOF, T_IDENT, T_KEYWORD, T_INT, T_FLOAT, T_STRING, T_CHAR, T_OP, T_PUNCT, T_ERROR, T_NKINDS };
static const char *kind_names[T_NKINDS] = { "eof", "ident", "keyword", "int", "float", "string", "char", "op", "punct", "error" };

static const char *keywords[] = { "if", "else", "while", "for", "return", "int", "char", "void", "struct", "break", "continue",
                                  "switch", "case", "default", "do", "static", "const", "unsigned", "long", "sizeof" };
#define NKW 20

enum cls { C_SPACE, C_ALPHA, C_DIGIT, C_QUOTE, C_APOS, C_SLASH, C_OPCH, C_PUNCT, C_NL, C_OTHER };
static uint8_t cclass[256];

__attribute__((noinline)) static void init_classes(void) {
    for (int c = 0; c < 256; c++) {
        uint8_t k = C_OTHER;
        if (c == ' ' || c == '\t' || c == '\r') k = C_SPACE;
        else if (c == '\n') k = C_NL;
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') k = C_ALPHA;
        else if (c >= '0' && c <= '9') k = C_DIGIT;
        else if (c == '"') k = C_QUOTE;
        else if (c == '\'') k = C_APOS;
        else if (c == '/') k = C_SLASH;
        else if (strchr("+-*%=<>!&|^~?:", c) && c) k = C_OPCH;
        else if (strchr("(){}[];,.", c) && c) k = C_PUNCT;
        cclass[c] = k;
    }
}

static int kw_lookup(const uint8_t *s, int n) {
    for (int i = 0; i < NKW; i++) if ((int)strlen(keywords[i]) == n && memcmp(keywords[i], s, (size_t)n) == 0) return i;
    return -1;
}

struct lexer { const uint8_t *p, *end; int line; };
struct token { int kind, len, line; const uint8_t *start; int64_t ival; };

__attribute__((noinline)) static int next_token(struct lexer *lx, struct token *t) {
    for (;;) {
        if (lx->p >= lx->end) { t->kind = T_EOF; return T_EOF; }
        uint8_t c = *lx->p;
        switch (cclass[c]) {
        case C_NL: lx->line++; /* fallthrough */
        case C_SPACE: lx->p++; continue;
        case C_SLASH:
            if (lx->p + 1 < lx->end && lx->p[1] == '/') { while (lx->p < lx->end && *lx->p != '\n') lx->p++; continue; }
            if (lx->p + 1 < lx->end && lx->p[1] == '*') {
                lx->p += 2;
                while (lx->p + 1 < lx->end && !(lx->p[0] == '*' && lx->p[1] == '/')) { if (*lx->p == '\n') lx->line++; lx->p++; }
                lx->p += 2; if (lx->p > lx->end) lx->p = lx->end;
                continue;
            }
            /* fallthrough */
        case C_OPCH: {
            t->start = lx->p; t->line = lx->line; t->kind = T_OP;
            static const char *ops3[] = { "<<=", ">>=" };
            static const char *ops2[] = { "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "<<", ">>", "->" };
            for (int i = 0; i < 2; i++) if (lx->end - lx->p >= 3 && !memcmp(lx->p, ops3[i], 3)) { t->len = 3; lx->p += 3; return T_OP; }
            for (int i = 0; i < 15; i++) if (lx->end - lx->p >= 2 && !memcmp(lx->p, ops2[i], 2)) { t->len = 2; lx->p += 2; return T_OP; }
            t->len = 1; lx->p++; return T_OP;
        }
        case C_PUNCT: t->start = lx->p++; t->len = 1; t->line = lx->line; t->kind = T_PUNCT; return T_PUNCT;
        case C_ALPHA: {
            t->start = lx->p; t->line = lx->line;
            while (lx->p < lx->end && (cclass[*lx->p] == C_ALPHA || cclass[*lx->p] == C_DIGIT)) lx->p++;
            t->len = (int)(lx->p - t->start);
            t->kind = kw_lookup(t->start, t->len) >= 0 ? T_KEYWORD : T_IDENT;
            return t->kind;
        }
        case C_DIGIT: {
            t->start = lx->p; t->line = lx->line; t->kind = T_INT;
            uint64_t v = 0;
            if (c == '0' && lx->p + 1 < lx->end && (lx->p[1] == 'x' || lx->p[1] == 'X')) {
                lx->p += 2;
                for (;;) {
                    uint8_t d = lx->p < lx->end ? *lx->p : 0; int dv;
                    if (d >= '0' && d <= '9') dv = d - '0'; else if (d >= 'a' && d <= 'f') dv = d - 'a' + 10; else if (d >= 'A' && d <= 'F') dv = d - 'A' + 10; else break;
                    v = v * 16 + (uint64_t)dv; lx->p++;
                }
            } else {
                while (lx->p < lx->end && cclass[*lx->p] == C_DIGIT) { v = v * 10 + (uint64_t)(*lx->p - '0'); lx->p++; }
                if (lx->p < lx->end && *lx->p == '.') {
                    t->kind = T_FLOAT; lx->p++;
                    while (lx->p < lx->end && cclass[*lx->p] == C_DIGIT) lx->p++;
                    if (lx->p < lx->end && (*lx->p == 'e' || *lx->p == 'E')) { lx->p++; if (lx->p < lx->end && (*lx->p == '-' || *lx->p == '+')) lx->p++; while (lx->p < lx->end && cclass[*lx->p] == C_DIGIT) lx->p++; }
                }
            }
            t->ival = (int64_t)(v & 0x7fffffffffffffffULL);
            t->len = (int)(lx->p - t->start);
            return t->kind;
        }
        case C_QUOTE: case C_APOS: {
            uint8_t q = c;
            t->start = lx->p++; t->line = lx->line; t->kind = q == '"' ? T_STRING : T_CHAR;
            int64_t chars = 0;
            while (lx->p < lx->end && *lx->p != q) {
                if (*lx->p == '\\' && lx->p + 1 < lx->end) lx->p++;
                if (*lx->p == '\n') { t->kind = T_ERROR; break; }
                lx->p++; chars++;
            }
            if (lx->p < lx->end && *lx->p == q) lx->p++;
            t->ival = chars; t->len = (int)(lx->p - t->start);
            return t->kind;
        }
        default: t->start = lx->p++; t->len = 1; t->line = lx->line; t->kind = T_ERROR; return T_ERROR;
        }
    }
}

static uint32_t rs = 424242;
static uint32_t rnd(uint32_t n) { rs = rs * 1103515245u + 12345u; return (rs >> 16) % n; }

__attribute__((noinline)) static int gen_source(char *buf, int cap) {
    static const char *idents[] = { "x", "count", "buf", "len", "node", "tmp_1", "value", "i", "j", "result", "ptr", "Max" };
    static const char *ops[] = { " + ", " - ", " * ", " / ", " << ", " >>= ", " == ", " != ", " && ", " || ", " -> ", " += ", " % ", " <= " };
    int n = 0;
    while (n < cap - 200) {
        /* draw all random values first: argument evaluation order is unspecified */
        uint32_t r = rnd(10), a = rnd(12), b = rnd(14), c = rnd(5000), d = rnd(12), e = rnd(12), f = rnd(26);
        switch (r) {
        case 0: n += snprintf(buf + n, (size_t)(cap - n), "/* block %u\n comment */\n", c % 1000u); break;
        case 1: n += snprintf(buf + n, (size_t)(cap - n), "// line comment %u\n", c % 99u); break;
        case 2: n += snprintf(buf + n, (size_t)(cap - n), "if (%s%s%u) {\n", idents[a], ops[b], c); break;
        case 3: n += snprintf(buf + n, (size_t)(cap - n), "  %s = 0x%X;\n", idents[a], c * 13u); break;
        case 4: n += snprintf(buf + n, (size_t)(cap - n), "  puts(\"str \\\"%u\\\" end\");\n", c % 77u); break;
        case 5: n += snprintf(buf + n, (size_t)(cap - n), "  %s[%s]%s'%c';\n", idents[a], idents[d], ops[b], 'a' + (int)f); break;
        case 6: n += snprintf(buf + n, (size_t)(cap - n), "}\nwhile (%s--) return %u.%ue-%u;\n", idents[a], c % 100u, c % 1000u, f % 9u); break;
        case 7: n += snprintf(buf + n, (size_t)(cap - n), "static unsigned long %s(void) { return sizeof(%s); }\n", idents[a], idents[d]); break;
        case 8: n += snprintf(buf + n, (size_t)(cap - n), "for (%s = %u; %s < %s; %s++) @ continue;\n", idents[a], c % 10u, idents[d], idents[e], idents[a]); break;
        default: n += snprintf(buf + n, (size_t)(cap - n), "  %s %s= %s;\n", idents[a], ops[b] + 1, idents[d]); break;
        }
    }
    return n;
}

int main(void) {
    init_classes();
    int cap = 120000;
    char *src = malloc((size_t)cap);
    int n = gen_source(src, cap);
    struct lexer lx = { (const uint8_t *)src, (const uint8_t *)src + n, 1 };
    struct token t;
    long counts[T_NKINDS] = { 0 }, kwcount[NKW] = { 0 };
    int64_t intsum = 0, strchars = 0;
    uint64_t ih = 0;
    int ntok = 0;
    while (next_token(&lx, &t) != T_EOF) {
        counts[t.kind]++; ntok++;
        if (t.kind == T_INT) intsum += t.ival;
        if (t.kind == T_STRING || t.kind == T_CHAR) strchars += t.ival;
        if (t.kind == T_KEYWORD) kwcount[kw_lookup(t.start, t.len)]++;
        if (t.kind == T_IDENT) for (int i = 0; i < t.len; i++) ih = ih * 31 + t.start[i];
        ck_add((uint64_t)t.kind * 1000003u + (uint64_t)t.len * 31u + (uint64_t)t.line);
    }
    printf("source bytes=%d lines=%d tokens=%d\n", n, lx.line, ntok);
    for (int k = 1; k < T_NKINDS; k++) printf("  %-8s %ld\n", kind_names[k], counts[k]);
    printf("int sum=%lld string chars=%lld ident hash=%016llx\n", (long long)intsum, (long long)strchars, (unsigned long long)ih);
    int most = 0;
    for (int k = 1; k < NKW; k++) if (kwcount[k] > kwcount[most]) most = k;
    printf("most frequent keyword: %s (%ld)\n", keywords[most], kwcount[most]);
    ck_add((uint64_t)intsum); ck_add((uint64_t)strchars); ck_add(ih);
    free(src);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
