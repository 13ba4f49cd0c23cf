/* A Forth-like stack machine: an outer interpreter that tokenises source text,
 * a dictionary of primitives and user-defined colon words compiled to
 * threaded code, control flow (IF ELSE THEN, BEGIN UNTIL, DO LOOP with I),
 * variables, and recursion (RECURSE). Runs several small Forth programs. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static uint64_t ck = 0xf0f0f0f0f0f0f0f0ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck += ck >> 31; }

enum prim { P_LIT, P_CALL, P_EXIT, P_BRANCH, P_ZBRANCH, P_DO, P_LOOP, P_I, P_J,
            P_ADD, P_SUB, P_MUL, P_DIVMOD, P_DUP, P_DROP, P_SWAP, P_OVER, P_ROT, P_LT, P_EQ, P_GT, P_AND, P_OR, P_XOR,
            P_FETCH, P_STORE, P_EMIT, P_DOT, P_NEGATE, P_ZEQ, P_TWOMUL, P_TWODIV, P_MAX, P_MIN, P_PLUSSTORE, NPRIM };
static const char *prim_names[NPRIM] = { 0, 0, 0, 0, 0, 0, 0, "I", "J", "+", "-", "*", "/MOD", "DUP", "DROP", "SWAP", "OVER", "ROT", "<", "=", ">",
                                         "AND", "OR", "XOR", "@", "!", "EMIT", ".", "NEGATE", "0=", "2*", "2/", "MAX", "MIN", "+!" };

struct word { char name[24]; int start; int is_var; int32_t addr; };
static struct word dict[256];
static int ndict;
static int32_t code[32768];
static int ncode;
static int32_t mem[4096];
static int nmem;

static int32_t ds[1024]; static int dsp;
static int32_t rstack[1024]; static int rsp;
static uint64_t out_hash; static long out_count; static long steps;

static int32_t pop(void) { return ds[--dsp]; }
static void push(int32_t v) { ds[dsp++] = v; }
static int32_t wadd(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

__attribute__((noinline)) static void execute(int ip) {
    int base_rsp = rsp;
    rstack[rsp++] = -1;
    while (ip >= 0) {
        int32_t op = code[ip++];
        steps++;
        switch (op) {
        case P_LIT: push(code[ip++]); break;
        case P_CALL: rstack[rsp++] = ip + 1; ip = code[ip]; break;
        case P_EXIT: ip = rstack[--rsp]; break;
        case P_BRANCH: ip = code[ip]; break;
        case P_ZBRANCH: { int32_t t = code[ip++]; if (!pop()) ip = t; break; }
        case P_DO: { int32_t start = pop(), limit = pop(); rstack[rsp++] = limit; rstack[rsp++] = start; break; }
        case P_LOOP: { int32_t t = code[ip++]; rstack[rsp - 1]++; if (rstack[rsp - 1] < rstack[rsp - 2]) ip = t; else rsp -= 2; break; }
        case P_I: push(rstack[rsp - 1]); break;
        case P_J: push(rstack[rsp - 3]); break;
        case P_ADD: { int32_t b = pop(); push(wadd(pop(), b)); break; }
        case P_SUB: { int32_t b = pop(); push((int32_t)((uint32_t)pop() - (uint32_t)b)); break; }
        case P_MUL: { int32_t b = pop(); push((int32_t)((uint32_t)pop() * (uint32_t)b)); break; }
        case P_DIVMOD: { int32_t b = pop(), a = pop(); if (b == 0 || b == -1) { push(0); push(0); } else { push(a % b); push(a / b); } break; }
        case P_DUP: push(ds[dsp - 1]); break;
        case P_DROP: dsp--; break;
        case P_SWAP: { int32_t t = ds[dsp - 1]; ds[dsp - 1] = ds[dsp - 2]; ds[dsp - 2] = t; break; }
        case P_OVER: push(ds[dsp - 2]); break;
        case P_ROT: { int32_t c = pop(), b = pop(), a = pop(); push(b); push(c); push(a); break; }
        case P_LT: { int32_t b = pop(); push(pop() < b ? -1 : 0); break; }
        case P_EQ: { int32_t b = pop(); push(pop() == b ? -1 : 0); break; }
        case P_GT: { int32_t b = pop(); push(pop() > b ? -1 : 0); break; }
        case P_AND: { int32_t b = pop(); push(pop() & b); break; }
        case P_OR: { int32_t b = pop(); push(pop() | b); break; }
        case P_XOR: { int32_t b = pop(); push(pop() ^ b); break; }
        case P_FETCH: push(mem[(uint32_t)pop() & 4095u]); break;
        case P_STORE: { int32_t a = pop(), v = pop(); mem[(uint32_t)a & 4095u] = v; break; }
        case P_PLUSSTORE: { int32_t a = pop(), v = pop(); mem[(uint32_t)a & 4095u] = wadd(mem[(uint32_t)a & 4095u], v); break; }
        case P_EMIT: out_hash = out_hash * 131 + (uint32_t)pop(); out_count++; break;
        case P_DOT: { int32_t v = pop(); out_hash = out_hash * 1000003u + (uint32_t)v; out_count++; if (out_count <= 12) printf("%d ", v); break; }
        case P_NEGATE: push((int32_t)(0u - (uint32_t)pop())); break;
        case P_ZEQ: push(pop() == 0 ? -1 : 0); break;
        case P_TWOMUL: push((int32_t)((uint32_t)pop() << 1)); break;
        case P_TWODIV: { int32_t v = pop(); push(v >= 0 ? v / 2 : -((-(int64_t)v + 1) / 2)); break; }
        case P_MAX: { int32_t b = pop(), a = pop(); push(a > b ? a : b); break; }
        case P_MIN: { int32_t b = pop(), a = pop(); push(a < b ? a : b); break; }
        default: printf("bad op %d\n", op); return;
        }
    }
    rsp = base_rsp;
}

static int find(const char *name) { for (int i = ndict - 1; i >= 0; i--) if (!strcmp(dict[i].name, name)) return i; return -1; }
static int prim_index(const char *name) { for (int i = 0; i < NPRIM; i++) if (prim_names[i] && !strcmp(prim_names[i], name)) return i; return -1; }

__attribute__((noinline)) static int interpret(const char *src) {
    char tok[64];
    int compiling = 0, cur = -1;
    int cstack[64], csp = 0;
    const char *p = src;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        int l = 0;
        while (*p && !isspace((unsigned char)*p) && l < 63) tok[l++] = (char)toupper((unsigned char)*p++);
        tok[l] = 0;
        if (!strcmp(tok, "(")) { while (*p && *p != ')') p++; if (*p) p++; continue; }
        if (!strcmp(tok, ":")) {
            while (*p && isspace((unsigned char)*p)) p++;
            l = 0; while (*p && !isspace((unsigned char)*p) && l < 23) dict[ndict].name[l++] = (char)toupper((unsigned char)*p++);
            dict[ndict].name[l] = 0; dict[ndict].start = ncode; dict[ndict].is_var = 0;
            cur = ndict++; compiling = 1; continue;
        }
        if (!strcmp(tok, "VARIABLE")) {
            while (*p && isspace((unsigned char)*p)) p++;
            l = 0; while (*p && !isspace((unsigned char)*p) && l < 23) dict[ndict].name[l++] = (char)toupper((unsigned char)*p++);
            dict[ndict].name[l] = 0; dict[ndict].is_var = 1; dict[ndict].addr = nmem++; ndict++;
            continue;
        }
        int start = ncode;
        if (compiling) {
            if (!strcmp(tok, ";")) { code[ncode++] = P_EXIT; compiling = 0; continue; }
            if (!strcmp(tok, "IF")) { code[ncode++] = P_ZBRANCH; cstack[csp++] = ncode++; continue; }
            if (!strcmp(tok, "ELSE")) { code[ncode++] = P_BRANCH; int at = ncode++; code[cstack[csp - 1]] = ncode; cstack[csp - 1] = at; continue; }
            if (!strcmp(tok, "THEN")) { code[cstack[--csp]] = ncode; continue; }
            if (!strcmp(tok, "BEGIN")) { cstack[csp++] = ncode; continue; }
            if (!strcmp(tok, "UNTIL")) { code[ncode++] = P_ZBRANCH; code[ncode++] = cstack[--csp]; continue; }
            if (!strcmp(tok, "DO")) { code[ncode++] = P_DO; cstack[csp++] = ncode; continue; }
            if (!strcmp(tok, "LOOP")) { code[ncode++] = P_LOOP; code[ncode++] = cstack[--csp]; continue; }
            if (!strcmp(tok, "RECURSE")) { code[ncode++] = P_CALL; code[ncode++] = dict[cur].start; continue; }
        }
        int w = find(tok), pi = prim_index(tok);
        if (w >= 0) {
            if (dict[w].is_var) { code[ncode++] = P_LIT; code[ncode++] = dict[w].addr; }
            else { code[ncode++] = P_CALL; code[ncode++] = dict[w].start; }
        } else if (pi >= 0) code[ncode++] = pi;
        else {
            char *end; long v = strtol(tok, &end, 10);
            if (*end) { printf("unknown word %s\n", tok); return -1; }
            code[ncode++] = P_LIT; code[ncode++] = (int32_t)v;
        }
        if (!compiling) { code[ncode++] = P_EXIT; execute(start); ncode = start; }
    }
    return 0;
}

int main(void) {
    const char *prog =
        ": SQUARE DUP * ; : CUBE DUP SQUARE * ; "
        ": FIB ( n -- f ) DUP 2 < IF ELSE DUP 1 - RECURSE SWAP 2 - RECURSE + THEN ; "
        ": GCD ( a b -- g ) BEGIN DUP 0= IF DROP 1 ELSE SWAP OVER /MOD DROP 0 THEN UNTIL ; "
        ": FACT ( n -- n! ) 1 SWAP 1 + 1 DO I * LOOP ; "
        "VARIABLE COUNT VARIABLE SUM "
        ": PRIME? ( n -- f ) DUP 2 < IF DROP 0 ELSE -1 SWAP DUP 2 DO DUP I /MOD DROP 0= IF SWAP DROP 0 SWAP THEN LOOP DROP THEN ; "
        ": PRIMES ( n -- ) 0 COUNT ! 0 SUM ! 2 DO I PRIME? IF 1 COUNT +! I SUM +! THEN LOOP ; "
        ": TABLE 10 0 DO 10 0 DO I J * EMIT LOOP LOOP ; "
        ": COLLATZ ( n -- steps ) 0 SWAP BEGIN DUP 1 = IF -1 ELSE DUP 1 AND IF 3 * 1 + ELSE 2/ THEN SWAP 1 + SWAP 0 THEN UNTIL DROP ; "
        ": MAXCOLLATZ ( n -- m ) 0 SWAP 1 DO I COLLATZ MAX LOOP ; "
        "7 SQUARE . 5 CUBE . 20 FIB . 1071 462 GCD . 10 FACT . "
        "600 PRIMES COUNT @ . SUM @ . TABLE 2000 MAXCOLLATZ . 27 COLLATZ . "
        "-7 2/ . 3 4 5 ROT . . . 100 7 /MOD . . ";
    printf("output: ");
    int rc = interpret(prog);
    printf("...\n");
    printf("rc=%d words=%d code=%d outputs=%ld steps=%ld hash=%016llx stack=%d\n", rc, ndict, ncode, out_count, steps, (unsigned long long)out_hash, dsp);
    ck_add(out_hash); ck_add((uint64_t)steps); ck_add((uint64_t)out_count);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
