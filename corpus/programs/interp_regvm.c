/* A register-machine VM with 16 32-bit registers and fixed 32-bit instruction
 * words (opcode, rd, rs1, rs2/imm12) decoded with shifts and dispatched by a
 * switch. Guest programs (bubble sort, matrix multiply, CRC-32, primes) are
 * produced by a small assembler; the host verifies the results natively. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x7e6e5e4e3e2e1e0eULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 27; }

enum { ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, SLT, SLTU, ADDI, LUI, LW, SW, LB, SB, BEQ, BNE, BLT, BGE, JAL, JR, HALT, DIVU, REMU, NOPC };

__attribute__((noinline)) static uint32_t enc(int op, int rd, int rs1, int rs2, int32_t imm) {
    return (uint32_t)op << 26 | (uint32_t)rd << 22 | (uint32_t)rs1 << 18 | (uint32_t)rs2 << 14 | ((uint32_t)imm & 0x3fffu);
}
static int32_t sext14(uint32_t v) { v &= 0x3fffu; return (v & 0x2000u) ? (int32_t)v - 0x4000 : (int32_t)v; }

#define MEMSZ 65536
struct cpu { uint32_t r[16]; uint8_t mem[MEMSZ]; long icount; };

static uint32_t ld32(const struct cpu *c, uint32_t a) { a &= MEMSZ - 4; return (uint32_t)c->mem[a] | (uint32_t)c->mem[a + 1] << 8 | (uint32_t)c->mem[a + 2] << 16 | (uint32_t)c->mem[a + 3] << 24; }
static void st32(struct cpu *c, uint32_t a, uint32_t v) { a &= MEMSZ - 4; c->mem[a] = (uint8_t)v; c->mem[a + 1] = (uint8_t)(v >> 8); c->mem[a + 2] = (uint8_t)(v >> 16); c->mem[a + 3] = (uint8_t)(v >> 24); }

__attribute__((noinline)) static int run(struct cpu *c, const uint32_t *prog, int n, long limit) {
    uint32_t pc = 0;
    c->icount = 0;
    while (c->icount < limit) {
        if (pc >= (uint32_t)n) return -1;
        uint32_t w = prog[pc++];
        int op = (int)(w >> 26), rd = (int)(w >> 22) & 15, rs1 = (int)(w >> 18) & 15, rs2 = (int)(w >> 14) & 15;
        int32_t imm = sext14(w);
        uint32_t a = c->r[rs1], b = c->r[rs2];
        c->icount++;
        switch (op) {
        case ADD: c->r[rd] = a + b; break;
        case SUB: c->r[rd] = a - b; break;
        case MUL: c->r[rd] = a * b; break;
        case AND: c->r[rd] = a & b; break;
        case OR: c->r[rd] = a | b; break;
        case XOR: c->r[rd] = a ^ b; break;
        case SHL: c->r[rd] = a << (b & 31); break;
        case SHR: c->r[rd] = a >> (b & 31); break;
        case SLT: c->r[rd] = (int32_t)a < (int32_t)b; break;
        case SLTU: c->r[rd] = a < b; break;
        case DIVU: c->r[rd] = b ? a / b : 0xffffffffu; break;
        case REMU: c->r[rd] = b ? a % b : a; break;
        case ADDI: c->r[rd] = a + (uint32_t)imm; break;
        case LUI: c->r[rd] = (uint32_t)(w & 0x3fffu) << 18; break;
        case LW: c->r[rd] = ld32(c, a + (uint32_t)imm); break;
        case SW: st32(c, a + (uint32_t)imm, c->r[rd]); break;
        case LB: c->r[rd] = c->mem[(a + (uint32_t)imm) & (MEMSZ - 1)]; break;
        case SB: c->mem[(a + (uint32_t)imm) & (MEMSZ - 1)] = (uint8_t)c->r[rd]; break;
        case BEQ: if (c->r[rd] == a) pc += (uint32_t)imm - 1; break;
        case BNE: if (c->r[rd] != a) pc += (uint32_t)imm - 1; break;
        case BLT: if ((int32_t)c->r[rd] < (int32_t)a) pc += (uint32_t)imm - 1; break;
        case BGE: if ((int32_t)c->r[rd] >= (int32_t)a) pc += (uint32_t)imm - 1; break;
        case JAL: c->r[rd] = pc; pc += (uint32_t)imm - 1; break;
        case JR: pc = a; break;
        case HALT: return 0;
        default: return -2;
        }
        c->r[0] = 0;
    }
    return 1;
}

struct as { uint32_t p[1024]; int n; int lab[64]; int fx[128], fl[128], nf; };
static void I(struct as *a, int op, int rd, int rs1, int rs2, int32_t imm) { a->p[a->n++] = enc(op, rd, rs1, rs2, imm); }
static void LBL(struct as *a, int l) { a->lab[l] = a->n; }
static void BR(struct as *a, int op, int r1, int r2, int l) { a->fx[a->nf] = a->n; a->fl[a->nf++] = l; I(a, op, r1, r2, 0, 0); }
__attribute__((noinline)) static void LI(struct as *a, int rd, uint32_t v) { /* r15 is the assembler's scratch register */
    I(a, ADDI, 15, 0, 0, 9);
    I(a, ADDI, rd, 0, 0, (int32_t)(v >> 18));          /* sign-extended, upper junk is shifted out */
    I(a, SHL, rd, rd, 15, 0); I(a, ADDI, rd, rd, 0, (int32_t)((v >> 9) & 0x1ff));
    I(a, SHL, rd, rd, 15, 0); I(a, ADDI, rd, rd, 0, (int32_t)(v & 0x1ff));
}
__attribute__((noinline)) static void FIN(struct as *a) { for (int i = 0; i < a->nf; i++) { int at = a->fx[i]; int32_t off = a->lab[a->fl[i]] - at; a->p[at] = (a->p[at] & ~0x3fffu) | ((uint32_t)off & 0x3fffu); } }

int main(void) {
    static struct cpu c;
    static struct as a;
    /* 1. bubble sort of 200 words at address 0x1000 */
    memset(&a, 0, sizeof a);
    int N = 200;
    LI(&a, 1, 0x1000); I(&a, ADDI, 2, 0, 0, N - 1);            /* r1 base, r2 = n-1 (outer) */
    LBL(&a, 0);
    BR(&a, BEQ, 2, 0, 9);
    I(&a, ADDI, 3, 0, 0, 0); I(&a, ADDI, 4, 1, 0, 0);          /* r3 = j, r4 = ptr */
    LBL(&a, 1); BR(&a, BEQ, 3, 2, 2);
    I(&a, LW, 5, 4, 0, 0); I(&a, LW, 6, 4, 0, 4);
    BR(&a, BGE, 6, 5, 3);                                       /* if a[j+1] >= a[j] skip (signed) */
    I(&a, SW, 6, 4, 0, 0); I(&a, SW, 5, 4, 0, 4);
    LBL(&a, 3); I(&a, ADDI, 3, 3, 0, 1); I(&a, ADDI, 4, 4, 0, 4); BR(&a, BEQ, 0, 0, 1);
    LBL(&a, 2); I(&a, ADDI, 2, 2, 0, -1); BR(&a, BEQ, 0, 0, 0);
    LBL(&a, 9); I(&a, HALT, 0, 0, 0, 0);
    FIN(&a);
    memset(&c, 0, sizeof c);
    uint32_t s = 123;
    int32_t ref[200];
    for (int i = 0; i < N; i++) { s = s * 1103515245u + 12345u; ref[i] = (int32_t)(s >> 8) - (1 << 23); st32(&c, 0x1000u + 4u * (uint32_t)i, (uint32_t)ref[i]); }
    int rc = run(&c, a.p, a.n, 10000000);
    for (int i = 1; i < N; i++) { int32_t v = ref[i]; int j = i - 1; while (j >= 0 && ref[j] > v) { ref[j + 1] = ref[j]; j--; } ref[j + 1] = v; }
    int ok = 1; uint64_t h = 0;
    for (int i = 0; i < N; i++) { uint32_t v = ld32(&c, 0x1000u + 4u * (uint32_t)i); if ((int32_t)v != ref[i]) ok = 0; h = h * 31 + v; }
    printf("bubble sort: rc=%d instrs=%ld ok=%d min=%d max=%d\n", rc, c.icount, ok, ref[0], ref[N - 1]);
    ck_add(h); ck_add((uint64_t)c.icount);

    /* 2. matrix multiply 12x12 words: C at 0x3000 = A(0x1000) * B(0x2000) */
    memset(&a, 0, sizeof a);
    int M = 12;
    I(&a, ADDI, 1, 0, 0, 0);                                   /* i */
    I(&a, ADDI, 10, 0, 0, M);
    LBL(&a, 0); BR(&a, BEQ, 1, 10, 9);
    I(&a, ADDI, 2, 0, 0, 0);                                   /* j */
    LBL(&a, 1); BR(&a, BEQ, 2, 10, 8);
    I(&a, ADDI, 3, 0, 0, 0); I(&a, ADDI, 4, 0, 0, 0);          /* k, acc */
    LBL(&a, 2); BR(&a, BEQ, 3, 10, 7);
    I(&a, MUL, 5, 1, 10, 0); I(&a, ADD, 5, 5, 3, 0); I(&a, ADD, 5, 5, 5, 0); I(&a, ADD, 5, 5, 5, 0); /* (i*M+k)*4 */
    LI(&a, 11, 0x1000); I(&a, ADD, 5, 5, 11, 0); I(&a, LW, 6, 5, 0, 0);
    I(&a, MUL, 7, 3, 10, 0); I(&a, ADD, 7, 7, 2, 0); I(&a, ADD, 7, 7, 7, 0); I(&a, ADD, 7, 7, 7, 0);
    LI(&a, 11, 0x2000); I(&a, ADD, 7, 7, 11, 0); I(&a, LW, 8, 7, 0, 0);
    I(&a, MUL, 6, 6, 8, 0); I(&a, ADD, 4, 4, 6, 0);
    I(&a, ADDI, 3, 3, 0, 1); BR(&a, BEQ, 0, 0, 2);
    LBL(&a, 7); I(&a, MUL, 5, 1, 10, 0); I(&a, ADD, 5, 5, 2, 0); I(&a, ADD, 5, 5, 5, 0); I(&a, ADD, 5, 5, 5, 0);
    LI(&a, 11, 0x3000); I(&a, ADD, 5, 5, 11, 0); I(&a, SW, 4, 5, 0, 0);
    I(&a, ADDI, 2, 2, 0, 1); BR(&a, BEQ, 0, 0, 1);
    LBL(&a, 8); I(&a, ADDI, 1, 1, 0, 1); BR(&a, BEQ, 0, 0, 0);
    LBL(&a, 9); I(&a, HALT, 0, 0, 0, 0);
    FIN(&a);
    memset(&c, 0, sizeof c);
    uint32_t A[12][12], B[12][12];
    for (int i = 0; i < M; i++) for (int j = 0; j < M; j++) {
        s = s * 1103515245u + 12345u; A[i][j] = s >> 20; st32(&c, 0x1000u + 4u * (uint32_t)(i * M + j), A[i][j]);
        s = s * 1103515245u + 12345u; B[i][j] = s >> 18; st32(&c, 0x2000u + 4u * (uint32_t)(i * M + j), B[i][j]);
    }
    rc = run(&c, a.p, a.n, 10000000);
    ok = 1; h = 0;
    for (int i = 0; i < M; i++) for (int j = 0; j < M; j++) {
        uint32_t v = 0; for (int k = 0; k < M; k++) v += A[i][k] * B[k][j];
        uint32_t g = ld32(&c, 0x3000u + 4u * (uint32_t)(i * M + j));
        if (g != v) ok = 0;
        h = h * 1000003u + g;
    }
    printf("matmul: rc=%d instrs=%ld ok=%d c00=%u\n", rc, c.icount, ok, ld32(&c, 0x3000));
    ck_add(h); ck_add((uint64_t)c.icount);

    /* 3. CRC-32 (bitwise) over 1500 bytes at 0x4000; result in r1 */
    memset(&a, 0, sizeof a);
    LI(&a, 1, 0xffffffffu); LI(&a, 2, 0xEDB88320u); LI(&a, 3, 0x4000); I(&a, ADDI, 4, 0, 0, 1500); I(&a, ADDI, 13, 0, 0, 1);
    LBL(&a, 0); BR(&a, BEQ, 4, 0, 9);
    I(&a, LB, 5, 3, 0, 0); I(&a, XOR, 1, 1, 5, 0); I(&a, ADDI, 6, 0, 0, 8);
    LBL(&a, 1); BR(&a, BEQ, 6, 0, 2);
    I(&a, AND, 7, 1, 13, 0); I(&a, SHR, 1, 1, 13, 0); I(&a, SUB, 7, 0, 7, 0); I(&a, AND, 7, 7, 2, 0); I(&a, XOR, 1, 1, 7, 0);
    I(&a, ADDI, 6, 6, 0, -1); BR(&a, BEQ, 0, 0, 1);
    LBL(&a, 2); I(&a, ADDI, 3, 3, 0, 1); I(&a, ADDI, 4, 4, 0, -1); BR(&a, BEQ, 0, 0, 0);
    LBL(&a, 9); I(&a, XOR, 1, 1, 0, 0); I(&a, ADDI, 12, 0, 0, -1); I(&a, XOR, 1, 1, 12, 0); I(&a, HALT, 0, 0, 0, 0);
    FIN(&a);
    memset(&c, 0, sizeof c);
    uint32_t crc = 0xffffffffu;
    for (int i = 0; i < 1500; i++) {
        uint8_t byte = (uint8_t)(i * 7 + (i >> 3));
        c.mem[0x4000 + i] = byte;
        crc ^= byte;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    crc = ~crc;
    rc = run(&c, a.p, a.n, 10000000);
    printf("crc32: rc=%d instrs=%ld vm=%08x host=%08x\n", rc, c.icount, c.r[1], crc);
    ck_add(c.r[1]); ck_add((uint64_t)c.icount);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
