/* Mutual and nested recursion: even/odd by mutual recursion, Hofstadter's
 * Female/Male sequences, Hofstadter Q (memoised), McCarthy's 91 function,
 * Ackermann for small arguments, a mutually recursive expression
 * evaluator over a generated token stream, and the Sudan function. All
 * recursive functions are non-inlined. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t ck = 0x1e1e1e1e2f2f2f2fULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 30; }

static long calls;

__attribute__((noinline)) static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n) { calls++; return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static int is_odd(unsigned n) { calls++; return n == 0 ? 0 : is_even(n - 1); }

__attribute__((noinline)) static int hof_m(int n);
__attribute__((noinline)) static int hof_f(int n) { calls++; return n == 0 ? 1 : n - hof_m(hof_f(n - 1)); }
__attribute__((noinline)) static int hof_m(int n) { calls++; return n == 0 ? 0 : n - hof_f(hof_m(n - 1)); }

static int qmemo[20001];
__attribute__((noinline)) static int hof_q(int n) {
    calls++;
    if (n <= 2) return 1;
    if (qmemo[n]) return qmemo[n];
    int r = hof_q(n - hof_q(n - 1)) + hof_q(n - hof_q(n - 2));
    qmemo[n] = r;
    return r;
}

__attribute__((noinline)) static int mc91(int n) { calls++; return n > 100 ? n - 10 : mc91(mc91(n + 11)); }

__attribute__((noinline)) static uint32_t ackermann(uint32_t m, uint32_t n) {
    calls++;
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

__attribute__((noinline)) static uint64_t sudan(uint64_t n, uint64_t x, uint64_t y) {
    calls++;
    if (n == 0) return x + y;
    if (y == 0) return x;
    uint64_t inner = sudan(n, x, y - 1);
    return sudan(n - 1, inner, inner + y);
}

/* mutually recursive evaluator: expr -> term {(+|-) term}; term -> factor {(*|/) factor}; factor -> num | ( expr ) | - factor */
struct ts { const uint8_t *t; int pos; };
__attribute__((noinline)) static int64_t ev_expr(struct ts *s);
__attribute__((noinline)) static int64_t ev_factor(struct ts *s) {
    calls++;
    uint8_t c = s->t[s->pos];
    if (c == '(') { s->pos++; int64_t v = ev_expr(s); s->pos++; return v; }
    if (c == '-') { s->pos++; return -ev_factor(s); }
    s->pos++;
    return c - '0';
}
__attribute__((noinline)) static int64_t ev_term(struct ts *s) {
    calls++;
    int64_t v = ev_factor(s);
    while (s->t[s->pos] == '*' || s->t[s->pos] == '/') {
        uint8_t op = s->t[s->pos++];
        int64_t r = ev_factor(s);
        if (op == '*') { v = (int64_t)((uint64_t)v * (uint64_t)r); if (v > 1000000000 || v < -1000000000) v %= 1000000007; }
        else v = r == 0 ? v : v / r;
    }
    return v;
}
__attribute__((noinline)) static int64_t ev_expr(struct ts *s) {
    calls++;
    int64_t v = ev_term(s);
    while (s->t[s->pos] == '+' || s->t[s->pos] == '-') {
        uint8_t op = s->t[s->pos++];
        int64_t r = ev_term(s);
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

static uint32_t rs = 77;
static uint32_t rnd(uint32_t n) { rs = rs * 1103515245u + 12345u; return (rs >> 16) % n; }
static int gen(uint8_t *b, int pos, int depth) {
    uint32_t k = depth > 0 ? rnd(6) : 0;
    if (k == 0 || k == 1) { b[pos++] = (uint8_t)('0' + rnd(10)); return pos; }
    if (k == 2) { b[pos++] = '-'; return gen(b, pos, depth - 1); }
    if (k == 3) { b[pos++] = '('; pos = gen(b, pos, depth - 1); b[pos++] = ')'; return pos; }
    pos = gen(b, pos, depth - 1);
    static const char ops[] = "+-*/";
    b[pos++] = (uint8_t)ops[rnd(4)];
    return gen(b, pos, depth - 1);
}

int main(void) {
    calls = 0;
    int ev = 0;
    for (unsigned n = 0; n < 3000; n += 7) ev += is_even(n) * 2 + is_odd(n);
    printf("even/odd: score=%d calls=%ld\n", ev, calls);
    ck_add((uint64_t)ev); ck_add((uint64_t)calls);
    calls = 0;
    uint64_t fm = 0;
    for (int n = 0; n < 60; n++) fm = fm * 131 + (uint64_t)hof_f(n) * 3 + (uint64_t)hof_m(n);
    long fm_calls = calls;
    int f59 = hof_f(59), m59 = hof_m(59);
    printf("hofstadter F/M: F(59)=%d M(59)=%d hash=%016llx calls=%ld\n", f59, m59, (unsigned long long)fm, fm_calls);
    calls = fm_calls;
    ck_add(fm); ck_add((uint64_t)calls);
    calls = 0;
    int q = 0;
    for (int n = 1; n <= 20000; n++) q = hof_q(n);
    long q_calls = calls;
    int q10k = hof_q(10000);
    printf("hofstadter Q(20000)=%d Q(10000)=%d calls=%ld\n", q, q10k, q_calls);
    calls = q_calls;
    ck_add((uint64_t)q); ck_add((uint64_t)calls);
    calls = 0;
    long m91 = 0;
    for (int n = -50; n < 150; n++) m91 += mc91(n);
    printf("mc91 sum=%ld calls=%ld\n", m91, calls);
    ck_add((uint64_t)m91); ck_add((uint64_t)calls);
    calls = 0;
    uint32_t ack = 0;
    for (uint32_t m = 0; m <= 3; m++) for (uint32_t n = 0; n <= 5; n++) ack = ack * 7 + ackermann(m, n);
    long a_calls = calls;
    uint32_t a23 = ackermann(2, 3), a35 = ackermann(3, 5);
    printf("ackermann table hash=%u A(2,3)=%u A(3,5)=%u calls=%ld\n", ack, a23, a35, a_calls);
    calls = a_calls;
    ck_add(ack); ck_add((uint64_t)calls);
    calls = 0;
    uint64_t sd = sudan(1, 5, 10) + sudan(2, 1, 1) + sudan(2, 2, 1);
    printf("sudan sum=%llu calls=%ld\n", (unsigned long long)sd, calls);
    ck_add(sd);
    calls = 0;
    static uint8_t buf[1 << 16];
    uint64_t tot = 0;
    for (int t = 0; t < 300; t++) {
        int len = gen(buf, 0, 9);
        buf[len] = 0;
        struct ts s = { buf, 0 };
        int64_t v = ev_expr(&s);
        tot = tot * 31 + (uint64_t)v;
    }
    printf("expressions: hash=%016llx calls=%ld\n", (unsigned long long)tot, calls);
    ck_add((uint64_t)tot); ck_add((uint64_t)calls);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
