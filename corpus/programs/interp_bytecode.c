/* A stack-based bytecode virtual machine dispatched by a big switch: ~30
 * opcodes (arithmetic, comparison, jumps, locals, calls/returns, memory),
 * a tiny assembler with labels, and three guest programs: prime sieve,
 * recursive Fibonacci and Collatz statistics. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xb17ec0deb17ec0deULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 32; }

enum op { OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG,
          OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR, OP_LT, OP_LE, OP_EQ, OP_NE, OP_NOT, OP_JMP, OP_JZ, OP_JNZ,
          OP_LOADL, OP_STOREL, OP_LOADM, OP_STOREM, OP_CALL, OP_RET, OP_EMIT, OP_INC, OP_DEC, NOPS };

struct vm { int32_t stack[1024]; int sp; int32_t mem[8192]; int32_t frames[256][8]; int rets[256]; int fp; uint64_t emitted; long steps; };

__attribute__((noinline)) static int run(struct vm *m, const int32_t *code) {
    int pc = 0;
    m->sp = 0; m->fp = 0; m->steps = 0;
    for (;;) {
        int32_t op = code[pc++];
        m->steps++;
        uint32_t a, b;
        switch (op) {
        case OP_HALT: return 0;
        case OP_PUSH: m->stack[m->sp++] = code[pc++]; break;
        case OP_POP: m->sp--; break;
        case OP_DUP: m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; break;
        case OP_SWAP: { int32_t t = m->stack[m->sp - 1]; m->stack[m->sp - 1] = m->stack[m->sp - 2]; m->stack[m->sp - 2] = t; break; }
        case OP_OVER: m->stack[m->sp] = m->stack[m->sp - 2]; m->sp++; break;
        case OP_ADD: b = (uint32_t)m->stack[--m->sp]; a = (uint32_t)m->stack[m->sp - 1]; m->stack[m->sp - 1] = (int32_t)(a + b); break;
        case OP_SUB: b = (uint32_t)m->stack[--m->sp]; a = (uint32_t)m->stack[m->sp - 1]; m->stack[m->sp - 1] = (int32_t)(a - b); break;
        case OP_MUL: b = (uint32_t)m->stack[--m->sp]; a = (uint32_t)m->stack[m->sp - 1]; m->stack[m->sp - 1] = (int32_t)(a * b); break;
        case OP_DIV: { int32_t d = m->stack[--m->sp], n = m->stack[m->sp - 1]; m->stack[m->sp - 1] = (d == 0 || (d == -1 && n == INT32_MIN)) ? 0 : n / d; break; }
        case OP_MOD: { int32_t d = m->stack[--m->sp], n = m->stack[m->sp - 1]; m->stack[m->sp - 1] = (d == 0 || d == -1) ? 0 : n % d; break; }
        case OP_NEG: m->stack[m->sp - 1] = (int32_t)(0u - (uint32_t)m->stack[m->sp - 1]); break;
        case OP_AND: b = (uint32_t)m->stack[--m->sp]; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] & b); break;
        case OP_OR: b = (uint32_t)m->stack[--m->sp]; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] | b); break;
        case OP_XOR: b = (uint32_t)m->stack[--m->sp]; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] ^ b); break;
        case OP_SHL: b = (uint32_t)m->stack[--m->sp] & 31u; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] << b); break;
        case OP_SHR: b = (uint32_t)m->stack[--m->sp] & 31u; m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] >> b); break;
        case OP_LT: { int32_t y = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] < y; break; }
        case OP_LE: { int32_t y = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] <= y; break; }
        case OP_EQ: { int32_t y = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] == y; break; }
        case OP_NE: { int32_t y = m->stack[--m->sp]; m->stack[m->sp - 1] = m->stack[m->sp - 1] != y; break; }
        case OP_NOT: m->stack[m->sp - 1] = !m->stack[m->sp - 1]; break;
        case OP_JMP: pc = code[pc]; break;
        case OP_JZ: { int32_t t = code[pc++]; if (m->stack[--m->sp] == 0) pc = t; break; }
        case OP_JNZ: { int32_t t = code[pc++]; if (m->stack[--m->sp] != 0) pc = t; break; }
        case OP_LOADL: m->stack[m->sp++] = m->frames[m->fp][code[pc++]]; break;
        case OP_STOREL: m->frames[m->fp][code[pc++]] = m->stack[--m->sp]; break;
        case OP_LOADM: { int32_t addr = m->stack[m->sp - 1]; m->stack[m->sp - 1] = m->mem[(uint32_t)addr & 8191u]; break; }
        case OP_STOREM: { int32_t addr = m->stack[--m->sp]; int32_t v = m->stack[--m->sp]; m->mem[(uint32_t)addr & 8191u] = v; break; }
        case OP_CALL: { int32_t target = code[pc++], nargs = code[pc++]; m->rets[m->fp] = pc; m->fp++;
                        for (int i = nargs - 1; i >= 0; i--) m->frames[m->fp][i] = m->stack[--m->sp];
                        pc = target; break; }
        case OP_RET: m->fp--; pc = m->rets[m->fp]; break;
        case OP_EMIT: m->emitted = m->emitted * 1000003u + (uint32_t)m->stack[--m->sp]; break;
        case OP_INC: m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] + 1u); break;
        case OP_DEC: m->stack[m->sp - 1] = (int32_t)((uint32_t)m->stack[m->sp - 1] - 1u); break;
        default: return -1;
        }
    }
}

/* assembler with forward-referenced labels */
struct asmb { int32_t code[4096]; int n; int labels[64]; int fix_at[256], fix_lbl[256], nfix; };
static void E(struct asmb *a, int32_t v) { a->code[a->n++] = v; }
static void L(struct asmb *a, int l) { a->labels[l] = a->n; }
static void J(struct asmb *a, int op, int l) { E(a, op); a->fix_at[a->nfix] = a->n; a->fix_lbl[a->nfix++] = l; E(a, 0); }
static void C(struct asmb *a, int l, int nargs) { E(a, OP_CALL); a->fix_at[a->nfix] = a->n; a->fix_lbl[a->nfix++] = l; E(a, 0); E(a, nargs); }
__attribute__((noinline)) static void finish(struct asmb *a) { for (int i = 0; i < a->nfix; i++) a->code[a->fix_at[i]] = a->labels[a->fix_lbl[i]]; }

__attribute__((noinline)) static void prog_sieve(struct asmb *a, int limit) {
    /* mem[i] = 1 marks composite; emit count and sum of primes */
    memset(a, 0, sizeof *a);
    E(a, OP_PUSH); E(a, 2); E(a, OP_STOREL); E(a, 0);                  /* i = 2 */
    L(a, 1); E(a, OP_LOADL); E(a, 0); E(a, OP_DUP); E(a, OP_MUL); E(a, OP_PUSH); E(a, limit); E(a, OP_LT); J(a, OP_JZ, 2);
    E(a, OP_LOADL); E(a, 0); E(a, OP_LOADM); J(a, OP_JNZ, 3);
    E(a, OP_LOADL); E(a, 0); E(a, OP_DUP); E(a, OP_MUL); E(a, OP_STOREL); E(a, 1); /* j = i*i */
    L(a, 4); E(a, OP_LOADL); E(a, 1); E(a, OP_PUSH); E(a, limit); E(a, OP_LT); J(a, OP_JZ, 3);
    E(a, OP_PUSH); E(a, 1); E(a, OP_LOADL); E(a, 1); E(a, OP_STOREM);
    E(a, OP_LOADL); E(a, 1); E(a, OP_LOADL); E(a, 0); E(a, OP_ADD); E(a, OP_STOREL); E(a, 1); J(a, OP_JMP, 4);
    L(a, 3); E(a, OP_LOADL); E(a, 0); E(a, OP_INC); E(a, OP_STOREL); E(a, 0); J(a, OP_JMP, 1);
    L(a, 2); E(a, OP_PUSH); E(a, 0); E(a, OP_STOREL); E(a, 2); E(a, OP_PUSH); E(a, 0); E(a, OP_STOREL); E(a, 3);
    E(a, OP_PUSH); E(a, 2); E(a, OP_STOREL); E(a, 0);
    L(a, 5); E(a, OP_LOADL); E(a, 0); E(a, OP_PUSH); E(a, limit); E(a, OP_LT); J(a, OP_JZ, 6);
    E(a, OP_LOADL); E(a, 0); E(a, OP_LOADM); J(a, OP_JNZ, 7);
    E(a, OP_LOADL); E(a, 2); E(a, OP_INC); E(a, OP_STOREL); E(a, 2);
    E(a, OP_LOADL); E(a, 3); E(a, OP_LOADL); E(a, 0); E(a, OP_ADD); E(a, OP_STOREL); E(a, 3);
    L(a, 7); E(a, OP_LOADL); E(a, 0); E(a, OP_INC); E(a, OP_STOREL); E(a, 0); J(a, OP_JMP, 5);
    L(a, 6); E(a, OP_LOADL); E(a, 2); E(a, OP_EMIT); E(a, OP_LOADL); E(a, 3); E(a, OP_EMIT); E(a, OP_HALT);
    finish(a);
}

__attribute__((noinline)) static void prog_fib(struct asmb *a, int n) {
    memset(a, 0, sizeof *a);
    E(a, OP_PUSH); E(a, n); C(a, 1, 1); E(a, OP_EMIT); E(a, OP_HALT);
    L(a, 1); /* fib(x): if x < 2 return x */
    E(a, OP_LOADL); E(a, 0); E(a, OP_PUSH); E(a, 2); E(a, OP_LT); J(a, OP_JZ, 2);
    E(a, OP_LOADL); E(a, 0); E(a, OP_RET);
    L(a, 2); E(a, OP_LOADL); E(a, 0); E(a, OP_DEC); C(a, 1, 1);
    E(a, OP_LOADL); E(a, 0); E(a, OP_PUSH); E(a, 2); E(a, OP_SUB); C(a, 1, 1);
    E(a, OP_ADD); E(a, OP_RET);
    finish(a);
}

__attribute__((noinline)) static void prog_collatz(struct asmb *a, int limit) {
    /* for n in 1..limit: steps(n); emit max steps, argmax and xor of steps */
    memset(a, 0, sizeof *a);
    E(a, OP_PUSH); E(a, 1); E(a, OP_STOREL); E(a, 0);
    E(a, OP_PUSH); E(a, 0); E(a, OP_STOREL); E(a, 3); E(a, OP_PUSH); E(a, 0); E(a, OP_STOREL); E(a, 4); E(a, OP_PUSH); E(a, 0); E(a, OP_STOREL); E(a, 5);
    L(a, 1); E(a, OP_LOADL); E(a, 0); E(a, OP_PUSH); E(a, limit); E(a, OP_LE); J(a, OP_JZ, 9);
    E(a, OP_LOADL); E(a, 0); E(a, OP_STOREL); E(a, 1); E(a, OP_PUSH); E(a, 0); E(a, OP_STOREL); E(a, 2);
    L(a, 2); E(a, OP_LOADL); E(a, 1); E(a, OP_PUSH); E(a, 1); E(a, OP_NE); J(a, OP_JZ, 5);
    E(a, OP_LOADL); E(a, 1); E(a, OP_PUSH); E(a, 1); E(a, OP_AND); J(a, OP_JZ, 3);
    E(a, OP_LOADL); E(a, 1); E(a, OP_PUSH); E(a, 3); E(a, OP_MUL); E(a, OP_INC); E(a, OP_STOREL); E(a, 1); J(a, OP_JMP, 4);
    L(a, 3); E(a, OP_LOADL); E(a, 1); E(a, OP_PUSH); E(a, 1); E(a, OP_SHR); E(a, OP_STOREL); E(a, 1);
    L(a, 4); E(a, OP_LOADL); E(a, 2); E(a, OP_INC); E(a, OP_STOREL); E(a, 2); J(a, OP_JMP, 2);
    L(a, 5); E(a, OP_LOADL); E(a, 5); E(a, OP_LOADL); E(a, 2); E(a, OP_XOR); E(a, OP_STOREL); E(a, 5);
    E(a, OP_LOADL); E(a, 3); E(a, OP_LOADL); E(a, 2); E(a, OP_LT); J(a, OP_JZ, 6);
    E(a, OP_LOADL); E(a, 2); E(a, OP_STOREL); E(a, 3); E(a, OP_LOADL); E(a, 0); E(a, OP_STOREL); E(a, 4);
    L(a, 6); E(a, OP_LOADL); E(a, 0); E(a, OP_INC); E(a, OP_STOREL); E(a, 0); J(a, OP_JMP, 1);
    L(a, 9); E(a, OP_LOADL); E(a, 3); E(a, OP_EMIT); E(a, OP_LOADL); E(a, 4); E(a, OP_EMIT); E(a, OP_LOADL); E(a, 5); E(a, OP_EMIT); E(a, OP_HALT);
    finish(a);
}

int main(void) {
    static struct vm m;
    static struct asmb a;
    memset(&m, 0, sizeof m);
    prog_sieve(&a, 8000);
    int rc = run(&m, a.code);
    printf("sieve: rc=%d code=%d words steps=%ld emitted=%016llx\n", rc, a.n, m.steps, (unsigned long long)m.emitted);
    ck_add(m.emitted); ck_add((uint64_t)m.steps);
    m.emitted = 0;
    prog_fib(&a, 20);
    rc = run(&m, a.code);
    printf("fib(20): rc=%d steps=%ld emitted=%016llx\n", rc, m.steps, (unsigned long long)m.emitted);
    ck_add(m.emitted); ck_add((uint64_t)m.steps);
    m.emitted = 0;
    prog_collatz(&a, 3000);
    rc = run(&m, a.code);
    printf("collatz(3000): rc=%d steps=%ld emitted=%016llx\n", rc, m.steps, (unsigned long long)m.emitted);
    ck_add(m.emitted); ck_add((uint64_t)m.steps);
    /* fuzz the VM with random straight-line arithmetic */
    uint32_t s = 17;
    uint64_t fz = 0;
    for (int t = 0; t < 200; t++) {
        int n = 0;
        int depth = 0;
        for (int i = 0; i < 60; i++) {
            s = s * 1103515245u + 12345u;
            if (depth < 2 || (s >> 16) % 3u == 0) { a.code[n++] = OP_PUSH; a.code[n++] = (int32_t)(s >> 8) - (1 << 23); depth++; }
            else { static const int ops[] = { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR, OP_LT, OP_EQ }; a.code[n++] = ops[(s >> 20) % 12u]; depth--; }
        }
        while (depth > 1) { a.code[n++] = OP_XOR; depth--; }
        a.code[n++] = OP_EMIT; a.code[n++] = OP_HALT;
        m.emitted = 0;
        run(&m, a.code);
        fz = fz * 31 + m.emitted;
    }
    printf("fuzz hash=%016llx\n", (unsigned long long)fz);
    ck_add(fz);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
