/* Brainf*** interpreters: a naive one with a precomputed bracket table and an
 * optimising one that compiles to a compact IR (run-length folded +/-/</>,
 * clear loops, multiply-add loops) executed by a switch. Guest programs are
 * generated (text printer, nested counters, reversal of an input buffer). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xbf0bf0bf0bf0ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 30; }

#define TAPE 30000

struct io { const uint8_t *in; size_t nin, pin; uint8_t *out; size_t nout; };

__attribute__((noinline)) static long run_naive(const char *prog, struct io *io) {
    size_t n = strlen(prog);
    int *match = malloc(sizeof(int) * n), *stk = malloc(sizeof(int) * n), sp = 0;
    for (size_t i = 0; i < n; i++) {
        if (prog[i] == '[') stk[sp++] = (int)i;
        else if (prog[i] == ']') { int j = stk[--sp]; match[i] = j; match[j] = (int)i; }
    }
    uint8_t *tape = calloc(TAPE, 1);
    size_t p = 0;
    long steps = 0;
    for (size_t pc = 0; pc < n; pc++) {
        steps++;
        switch (prog[pc]) {
        case '+': tape[p]++; break;
        case '-': tape[p]--; break;
        case '>': p = (p + 1) % TAPE; break;
        case '<': p = (p + TAPE - 1) % TAPE; break;
        case '.': io->out[io->nout++] = tape[p]; break;
        case ',': tape[p] = io->pin < io->nin ? io->in[io->pin++] : 0; break;
        case '[': if (!tape[p]) pc = (size_t)match[pc]; break;
        case ']': if (tape[p]) pc = (size_t)match[pc]; break;
        default: steps--; break;
        }
    }
    free(match); free(stk); free(tape);
    return steps;
}

enum irop { I_ADD, I_MOVE, I_OUT, I_IN, I_JZ, I_JNZ, I_CLEAR, I_MULADD, I_END };
struct ins { uint8_t op; int32_t arg, arg2; };

__attribute__((noinline)) static int compile(const char *prog, struct ins *code) {
    int n = 0, stk[1024], sp = 0;
    for (size_t i = 0; prog[i]; i++) {
        char c = prog[i];
        if (c == '+' || c == '-') {
            int v = 0;
            while (prog[i] == '+' || prog[i] == '-') { v += prog[i] == '+' ? 1 : -1; i++; }
            i--;
            code[n++] = (struct ins){ I_ADD, v & 255, 0 };
        } else if (c == '>' || c == '<') {
            int v = 0;
            while (prog[i] == '>' || prog[i] == '<') { v += prog[i] == '>' ? 1 : -1; i++; }
            i--;
            code[n++] = (struct ins){ I_MOVE, v, 0 };
        } else if (c == '.') code[n++] = (struct ins){ I_OUT, 0, 0 };
        else if (c == ',') code[n++] = (struct ins){ I_IN, 0, 0 };
        else if (c == '[') {
            /* recognise [-] and simple multiply loops [->+++>++<<] */
            if ((prog[i + 1] == '-' || prog[i + 1] == '+') && prog[i + 2] == ']') { code[n++] = (struct ins){ I_CLEAR, 0, 0 }; i += 2; continue; }
            size_t j = i + 1; int off = 0, ok = 1, delta0 = 0, nterms = 0;
            int offs[16], facs[16];
            while (prog[j] && prog[j] != ']') {
                char d = prog[j];
                if (d == '>') off++; else if (d == '<') off--;
                else if (d == '+' || d == '-') {
                    int v = d == '+' ? 1 : -1;
                    if (off == 0) delta0 += v;
                    else { int k; for (k = 0; k < nterms; k++) if (offs[k] == off) break; if (k == nterms) { if (nterms == 16) { ok = 0; break; } offs[k] = off; facs[k] = 0; nterms++; } facs[k] += v; }
                } else if (d == '[' || d == '.' || d == ',') { ok = 0; break; }
                j++;
            }
            if (ok && prog[j] == ']' && off == 0 && delta0 == -1) {
                for (int k = 0; k < nterms; k++) code[n++] = (struct ins){ I_MULADD, offs[k], facs[k] & 255 };
                code[n++] = (struct ins){ I_CLEAR, 0, 0 };
                i = j;
                continue;
            }
            stk[sp++] = n; code[n++] = (struct ins){ I_JZ, 0, 0 };
        } else if (c == ']') {
            int o = stk[--sp];
            code[o].arg = n; code[n++] = (struct ins){ I_JNZ, o, 0 };
        }
    }
    code[n++] = (struct ins){ I_END, 0, 0 };
    return n;
}

__attribute__((noinline)) static long run_ir(const struct ins *code, struct io *io) {
    uint8_t *tape = calloc(TAPE, 1);
    long p = 0, steps = 0;
    for (int pc = 0;; pc++) {
        const struct ins *in = &code[pc];
        steps++;
        switch (in->op) {
        case I_ADD: tape[p] = (uint8_t)(tape[p] + in->arg); break;
        case I_MOVE: p = ((p + in->arg) % TAPE + TAPE) % TAPE; break;
        case I_OUT: io->out[io->nout++] = tape[p]; break;
        case I_IN: tape[p] = io->pin < io->nin ? io->in[io->pin++] : 0; break;
        case I_JZ: if (!tape[p]) pc = in->arg; break;
        case I_JNZ: if (tape[p]) pc = in->arg; break;
        case I_CLEAR: tape[p] = 0; break;
        case I_MULADD: { long q = ((p + in->arg) % TAPE + TAPE) % TAPE; tape[q] = (uint8_t)(tape[q] + tape[p] * in->arg2); break; }
        case I_END: free(tape); return steps;
        }
    }
}

/* generate a program printing text using a multiplier loop per character */
static void gen_printer(const char *text, char *out) {
    int cur = 0; size_t o = 0;
    for (const char *t = text; *t; t++) {
        int target = (uint8_t)*t, d = target - cur;
        int ad = d < 0 ? -d : d;
        if (ad > 12) {
            int f = 1; while ((f + 1) * (f + 1) <= ad) f++;
            int q = ad / f, r = ad % f;
            out[o++] = '>';
            for (int i = 0; i < f; i++) out[o++] = '+';
            out[o++] = '['; out[o++] = '<';
            for (int i = 0; i < q; i++) out[o++] = d > 0 ? '+' : '-';
            out[o++] = '>'; out[o++] = '-'; out[o++] = ']'; out[o++] = '<';
            for (int i = 0; i < r; i++) out[o++] = d > 0 ? '+' : '-';
        } else for (int i = 0; i < ad; i++) out[o++] = d > 0 ? '+' : '-';
        out[o++] = '.';
        cur = target;
    }
    out[o] = 0;
}

int main(void) {
    static char prog[1 << 16];
    static uint8_t out1[1 << 16], out2[1 << 16];
    const char *msg = "Register allocation by graph colouring, live-range splitting and spilling.\n";
    gen_printer(msg, prog);
    struct io a = { 0, 0, 0, out1, 0 }, b = { 0, 0, 0, out2, 0 };
    long s1 = run_naive(prog, &a);
    static struct ins code[1 << 16];
    int nc = compile(prog, code);
    long s2 = run_ir(code, &b);
    printf("printer: prog=%zu chars ir=%d steps naive=%ld ir=%ld same=%d\n", strlen(prog), nc, s1, s2, a.nout == b.nout && !memcmp(out1, out2, a.nout));
    printf("output: %.*s", (int)a.nout, (const char *)out1);
    ck_add((uint64_t)s1); ck_add((uint64_t)s2);
    for (size_t i = 0; i < a.nout; i++) ck_add(out1[i]);

    /* nested counters: 3 levels, accumulate into cells with wraparound */
    const char *nest = "++++++++[>+++++++[>++++++[>+>+++>+++++++<<<-]<-]<-]>>>.>.>.<<<<"
                       "+++++[>>>>+++++[>+++[<<+>>-]<-]<<<<-]>>>>>.<.<<.";
    a.nout = b.nout = 0;
    s1 = run_naive(nest, &a); nc = compile(nest, code); s2 = run_ir(code, &b);
    printf("nested: steps naive=%ld ir=%ld out=", s1, s2);
    for (size_t i = 0; i < a.nout; i++) { printf("%u ", out1[i]); ck_add(out1[i]); }
    printf("same=%d\n", a.nout == b.nout && !memcmp(out1, out2, a.nout));

    /* reverse input */
    const char *rev = ">,[>,]<[.<]";
    const char *input = "stack machines and tapes";
    a = (struct io){ (const uint8_t *)input, strlen(input), 0, out1, 0 };
    b = (struct io){ (const uint8_t *)input, strlen(input), 0, out2, 0 };
    s1 = run_naive(rev, &a); nc = compile(rev, code); s2 = run_ir(code, &b);
    printf("reverse: %.*s (steps %ld/%ld)\n", (int)a.nout, (const char *)out1, s1, s2);
    for (size_t i = 0; i < a.nout; i++) ck_add(out1[i]);

    /* add adjacent input byte pairs mod 256, heavy loop work */
    const char *adder = ",[>,[<+>-]<.,]";
    static uint8_t inbuf[4000];
    for (int i = 0; i < 4000; i++) inbuf[i] = (uint8_t)(1 + (i * 37) % 200);
    a = (struct io){ inbuf, 4000, 0, out1, 0 };
    b = (struct io){ inbuf, 4000, 0, out2, 0 };
    s1 = run_naive(adder, &a); nc = compile(adder, code); s2 = run_ir(code, &b);
    uint64_t h = 0; for (size_t i = 0; i < a.nout; i++) h = h * 257 + out1[i];
    printf("adder: outputs=%zu steps naive=%ld ir=%ld same=%d hash=%016llx\n", a.nout, s1, s2, a.nout == b.nout && !memcmp(out1, out2, a.nout), (unsigned long long)h);
    ck_add(h); ck_add((uint64_t)s1); ck_add((uint64_t)s2);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
