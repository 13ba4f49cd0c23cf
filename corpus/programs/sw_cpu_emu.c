/* Emulator for a made-up 8-bit accumulator CPU (inspired by classic micros):
 * 256 opcodes decoded by one big switch, flags (Z, N, C, V), zero-page and
 * absolute addressing, stack, subroutine calls, and branch instructions.
 * Guest programs are assembled into memory: multiply routine, memory fill
 * and checksum, 16-bit Fibonacci, and a bubble sort. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x6502650265026502ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

struct cpu { uint8_t a, x, y, sp, fz, fn, fc, fv; uint16_t pc; uint8_t mem[65536]; long cycles; };

enum {
    NOP = 0x00, LDA_I = 0x01, LDA_Z = 0x02, LDA_A = 0x03, LDA_ZX = 0x04, LDA_AX = 0x05, LDA_AY = 0x06,
    STA_Z = 0x08, STA_A = 0x09, STA_ZX = 0x0a, STA_AX = 0x0b, STA_AY = 0x0c,
    LDX_I = 0x10, LDX_Z = 0x11, LDY_I = 0x12, LDY_Z = 0x13, STX_Z = 0x14, STY_Z = 0x15,
    TAX = 0x18, TXA = 0x19, TAY = 0x1a, TYA = 0x1b, INX = 0x1c, DEX = 0x1d, INY = 0x1e, DEY = 0x1f,
    ADC_I = 0x20, ADC_Z = 0x21, ADC_AX = 0x22, SBC_I = 0x24, SBC_Z = 0x25, SBC_AX = 0x26,
    AND_I = 0x28, AND_Z = 0x29, ORA_I = 0x2a, ORA_Z = 0x2b, EOR_I = 0x2c, EOR_Z = 0x2d,
    CMP_I = 0x30, CMP_Z = 0x31, CMP_AX = 0x32, CPX_I = 0x33, CPY_I = 0x34, CMP_AY = 0x35,
    ASL = 0x38, LSR = 0x39, ROL = 0x3a, ROR = 0x3b, INC_Z = 0x3c, DEC_Z = 0x3d,
    CLC = 0x40, SEC = 0x41, CLV = 0x42,
    BEQ = 0x48, BNE = 0x49, BCS = 0x4a, BCC = 0x4b, BMI = 0x4c, BPL = 0x4d, BVS = 0x4e, BVC = 0x4f,
    JMP = 0x50, JSR = 0x51, RTS = 0x52, PHA = 0x53, PLA = 0x54, BRK = 0xff
};

static void setzn(struct cpu *c, uint8_t v) { c->fz = v == 0; c->fn = v >> 7; }
static uint16_t fetch16(struct cpu *c) { uint16_t lo = c->mem[c->pc], hi = c->mem[(uint16_t)(c->pc + 1)]; c->pc = (uint16_t)(c->pc + 2); return (uint16_t)(lo | hi << 8); }
static uint8_t fetch8(struct cpu *c) { uint8_t v = c->mem[c->pc]; c->pc = (uint16_t)(c->pc + 1); return v; }
__attribute__((noinline)) static void adc(struct cpu *c, uint8_t v) { unsigned s = (unsigned)c->a + v + c->fc; c->fv = (uint8_t)((~(c->a ^ v) & (c->a ^ s) & 0x80) != 0); c->fc = s > 255; c->a = (uint8_t)s; setzn(c, c->a); }
static void cmp(struct cpu *c, uint8_t r, uint8_t v) { c->fc = r >= v; setzn(c, (uint8_t)(r - v)); }
__attribute__((noinline)) static void branch(struct cpu *c, int cond) { int8_t off = (int8_t)fetch8(c); if (cond) { c->pc = (uint16_t)(c->pc + off); c->cycles++; } }

__attribute__((noinline)) static int run(struct cpu *c, uint16_t start, long maxcycles) {
    c->pc = start; c->sp = 0xff; c->cycles = 0;
    while (c->cycles < maxcycles) {
        uint8_t op = fetch8(c);
        c->cycles += 2;
        switch (op) {
        case NOP: break;
        case LDA_I: c->a = fetch8(c); setzn(c, c->a); break;
        case LDA_Z: c->a = c->mem[fetch8(c)]; setzn(c, c->a); break;
        case LDA_A: c->a = c->mem[fetch16(c)]; setzn(c, c->a); c->cycles++; break;
        case LDA_ZX: c->a = c->mem[(uint8_t)(fetch8(c) + c->x)]; setzn(c, c->a); break;
        case LDA_AX: c->a = c->mem[(uint16_t)(fetch16(c) + c->x)]; setzn(c, c->a); c->cycles++; break;
        case LDA_AY: c->a = c->mem[(uint16_t)(fetch16(c) + c->y)]; setzn(c, c->a); c->cycles++; break;
        case STA_Z: c->mem[fetch8(c)] = c->a; break;
        case STA_A: c->mem[fetch16(c)] = c->a; c->cycles++; break;
        case STA_ZX: c->mem[(uint8_t)(fetch8(c) + c->x)] = c->a; break;
        case STA_AX: c->mem[(uint16_t)(fetch16(c) + c->x)] = c->a; c->cycles++; break;
        case STA_AY: c->mem[(uint16_t)(fetch16(c) + c->y)] = c->a; c->cycles++; break;
        case LDX_I: c->x = fetch8(c); setzn(c, c->x); break;
        case LDX_Z: c->x = c->mem[fetch8(c)]; setzn(c, c->x); break;
        case LDY_I: c->y = fetch8(c); setzn(c, c->y); break;
        case LDY_Z: c->y = c->mem[fetch8(c)]; setzn(c, c->y); break;
        case STX_Z: c->mem[fetch8(c)] = c->x; break;
        case STY_Z: c->mem[fetch8(c)] = c->y; break;
        case TAX: c->x = c->a; setzn(c, c->x); break;
        case TXA: c->a = c->x; setzn(c, c->a); break;
        case TAY: c->y = c->a; setzn(c, c->y); break;
        case TYA: c->a = c->y; setzn(c, c->a); break;
        case INX: c->x++; setzn(c, c->x); break;
        case DEX: c->x--; setzn(c, c->x); break;
        case INY: c->y++; setzn(c, c->y); break;
        case DEY: c->y--; setzn(c, c->y); break;
        case ADC_I: adc(c, fetch8(c)); break;
        case ADC_Z: adc(c, c->mem[fetch8(c)]); break;
        case ADC_AX: adc(c, c->mem[(uint16_t)(fetch16(c) + c->x)]); break;
        case SBC_I: adc(c, (uint8_t)~fetch8(c)); break;
        case SBC_Z: adc(c, (uint8_t)~c->mem[fetch8(c)]); break;
        case SBC_AX: adc(c, (uint8_t)~c->mem[(uint16_t)(fetch16(c) + c->x)]); break;
        case AND_I: c->a &= fetch8(c); setzn(c, c->a); break;
        case AND_Z: c->a &= c->mem[fetch8(c)]; setzn(c, c->a); break;
        case ORA_I: c->a |= fetch8(c); setzn(c, c->a); break;
        case ORA_Z: c->a |= c->mem[fetch8(c)]; setzn(c, c->a); break;
        case EOR_I: c->a ^= fetch8(c); setzn(c, c->a); break;
        case EOR_Z: c->a ^= c->mem[fetch8(c)]; setzn(c, c->a); break;
        case CMP_I: cmp(c, c->a, fetch8(c)); break;
        case CMP_Z: cmp(c, c->a, c->mem[fetch8(c)]); break;
        case CMP_AX: cmp(c, c->a, c->mem[(uint16_t)(fetch16(c) + c->x)]); break;
        case CMP_AY: cmp(c, c->a, c->mem[(uint16_t)(fetch16(c) + c->y)]); break;
        case CPX_I: cmp(c, c->x, fetch8(c)); break;
        case CPY_I: cmp(c, c->y, fetch8(c)); break;
        case ASL: c->fc = c->a >> 7; c->a = (uint8_t)(c->a << 1); setzn(c, c->a); break;
        case LSR: c->fc = c->a & 1; c->a >>= 1; setzn(c, c->a); break;
        case ROL: { uint8_t nc = c->a >> 7; c->a = (uint8_t)(c->a << 1 | c->fc); c->fc = nc; setzn(c, c->a); break; }
        case ROR: { uint8_t nc = c->a & 1; c->a = (uint8_t)(c->a >> 1 | c->fc << 7); c->fc = nc; setzn(c, c->a); break; }
        case INC_Z: { uint8_t z = fetch8(c); c->mem[z]++; setzn(c, c->mem[z]); c->cycles += 2; break; }
        case DEC_Z: { uint8_t z = fetch8(c); c->mem[z]--; setzn(c, c->mem[z]); c->cycles += 2; break; }
        case CLC: c->fc = 0; break;
        case SEC: c->fc = 1; break;
        case CLV: c->fv = 0; break;
        case BEQ: branch(c, c->fz); break;
        case BNE: branch(c, !c->fz); break;
        case BCS: branch(c, c->fc); break;
        case BCC: branch(c, !c->fc); break;
        case BMI: branch(c, c->fn); break;
        case BPL: branch(c, !c->fn); break;
        case BVS: branch(c, c->fv); break;
        case BVC: branch(c, !c->fv); break;
        case JMP: c->pc = fetch16(c); c->cycles++; break;
        case JSR: { uint16_t t = fetch16(c); uint16_t r = (uint16_t)(c->pc - 1); c->mem[0x100 + c->sp--] = (uint8_t)(r >> 8); c->mem[0x100 + c->sp--] = (uint8_t)r; c->pc = t; c->cycles += 4; break; }
        case RTS: { uint16_t lo = c->mem[0x100 + ++c->sp], hi = c->mem[0x100 + ++c->sp]; c->pc = (uint16_t)((lo | hi << 8) + 1); c->cycles += 4; break; }
        case PHA: c->mem[0x100 + c->sp--] = c->a; c->cycles++; break;
        case PLA: c->a = c->mem[0x100 + ++c->sp]; setzn(c, c->a); c->cycles += 2; break;
        case BRK: return 0;
        default: return -(int)op - 1;
        }
    }
    return 1;
}

struct asmb { uint8_t *m; uint16_t at; uint16_t lab[32]; uint16_t fix[64]; uint8_t fixl[64]; int nfix; uint16_t jfix[64]; uint8_t jfixl[64]; int njfix; };
static void B(struct asmb *a, uint8_t v) { a->m[a->at++] = v; }
static void W(struct asmb *a, uint16_t v) { B(a, (uint8_t)v); B(a, (uint8_t)(v >> 8)); }
static void LB(struct asmb *a, int l) { a->lab[l] = a->at; }
static void BR(struct asmb *a, uint8_t op, int l) { B(a, op); a->fix[a->nfix] = a->at; a->fixl[a->nfix++] = (uint8_t)l; B(a, 0); }
static void JL(struct asmb *a, uint8_t op, int l) { B(a, op); a->jfix[a->njfix] = a->at; a->jfixl[a->njfix++] = (uint8_t)l; W(a, 0); }
__attribute__((noinline)) static void FIN(struct asmb *a) {
    for (int i = 0; i < a->nfix; i++) a->m[a->fix[i]] = (uint8_t)(int8_t)(a->lab[a->fixl[i]] - (a->fix[i] + 1));
    for (int i = 0; i < a->njfix; i++) { a->m[a->jfix[i]] = (uint8_t)a->lab[a->jfixl[i]]; a->m[a->jfix[i] + 1] = (uint8_t)(a->lab[a->jfixl[i]] >> 8); }
}

int main(void) {
    static struct cpu c;
    memset(&c, 0, sizeof c);
    struct asmb a = { c.mem, 0x0200, { 0 }, { 0 }, { 0 }, 0, { 0 }, { 0 }, 0 };
    /* main: for x in 0..199: mem[$3000+x] = mul8(x, x*3) low; sum 16-bit into $10/$11; then fib16, then sort */
    /* mul8: A * mem[$20] -> 16-bit result in $22/$23 (shift-and-add) */
    LB(&a, 0); /* mul8 entry at label 0: inputs $21 (multiplicand), $20 (multiplier) */
    B(&a, LDA_I); B(&a, 0); B(&a, STA_Z); B(&a, 0x22); B(&a, STA_Z); B(&a, 0x23); B(&a, STA_Z); B(&a, 0x24);
    B(&a, LDX_I); B(&a, 8);
    LB(&a, 1);
    B(&a, LDA_Z); B(&a, 0x20); B(&a, LSR); B(&a, STA_Z); B(&a, 0x20); BR(&a, BCC, 2);
    B(&a, CLC); B(&a, LDA_Z); B(&a, 0x22); B(&a, ADC_Z); B(&a, 0x21); B(&a, STA_Z); B(&a, 0x22);
    B(&a, LDA_Z); B(&a, 0x23); B(&a, ADC_Z); B(&a, 0x24); B(&a, STA_Z); B(&a, 0x23);
    LB(&a, 2);
    B(&a, LDA_Z); B(&a, 0x21); B(&a, ASL); B(&a, STA_Z); B(&a, 0x21); B(&a, LDA_Z); B(&a, 0x24); B(&a, ROL); B(&a, STA_Z); B(&a, 0x24);
    B(&a, DEX); BR(&a, BNE, 1); B(&a, RTS);
    uint16_t entry = a.at;
    LB(&a, 3);
    B(&a, LDA_I); B(&a, 0); B(&a, STA_Z); B(&a, 0x10); B(&a, STA_Z); B(&a, 0x11); B(&a, STA_Z); B(&a, 0x30);
    LB(&a, 4);
    B(&a, LDA_Z); B(&a, 0x30); B(&a, STA_Z); B(&a, 0x21); B(&a, ASL); B(&a, CLC); B(&a, ADC_Z); B(&a, 0x30); B(&a, STA_Z); B(&a, 0x20);
    JL(&a, JSR, 0);
    B(&a, LDX_Z); B(&a, 0x30); B(&a, LDA_Z); B(&a, 0x22); B(&a, STA_AX); W(&a, 0x3000);
    B(&a, CLC); B(&a, LDA_Z); B(&a, 0x10); B(&a, ADC_Z); B(&a, 0x22); B(&a, STA_Z); B(&a, 0x10);
    B(&a, LDA_Z); B(&a, 0x11); B(&a, ADC_Z); B(&a, 0x23); B(&a, STA_Z); B(&a, 0x11);
    B(&a, INC_Z); B(&a, 0x30); B(&a, LDA_Z); B(&a, 0x30); B(&a, CMP_I); B(&a, 200); BR(&a, BNE, 4);
    /* fib16: $40/$41 = F(n) for n = 24 using $42/$43 as previous */
    B(&a, LDA_I); B(&a, 0); B(&a, STA_Z); B(&a, 0x42); B(&a, STA_Z); B(&a, 0x43); B(&a, STA_Z); B(&a, 0x41);
    B(&a, LDA_I); B(&a, 1); B(&a, STA_Z); B(&a, 0x40); B(&a, LDY_I); B(&a, 23);
    LB(&a, 5);
    B(&a, CLC); B(&a, LDA_Z); B(&a, 0x40); B(&a, TAX); B(&a, ADC_Z); B(&a, 0x42); B(&a, STA_Z); B(&a, 0x40); B(&a, STX_Z); B(&a, 0x42);
    B(&a, LDA_Z); B(&a, 0x41); B(&a, TAX); B(&a, ADC_Z); B(&a, 0x43); B(&a, STA_Z); B(&a, 0x41); B(&a, STX_Z); B(&a, 0x43);
    B(&a, DEY); BR(&a, BNE, 5);
    /* bubble sort 64 bytes at $3000 (unsigned) */
    B(&a, LDY_I); B(&a, 63);
    LB(&a, 6);
    B(&a, LDX_I); B(&a, 0); B(&a, STY_Z); B(&a, 0x50);
    LB(&a, 7);
    B(&a, LDA_AX); W(&a, 0x3001); B(&a, CMP_AX); W(&a, 0x3000); BR(&a, BCS, 8);
    B(&a, PHA); B(&a, LDA_AX); W(&a, 0x3000); B(&a, STA_AX); W(&a, 0x3001); B(&a, PLA); B(&a, STA_AX); W(&a, 0x3000);
    LB(&a, 8);
    B(&a, INX); B(&a, TXA); B(&a, CMP_Z); B(&a, 0x50); BR(&a, BNE, 7);
    B(&a, DEY); BR(&a, BNE, 6);
    B(&a, BRK);
    FIN(&a);
    (void)entry;
    int rc = run(&c, a.lab[3], 5000000);
    unsigned sum16 = c.mem[0x10] | c.mem[0x11] << 8, fib = c.mem[0x40] | c.mem[0x41] << 8;
    unsigned ref = 0;
    for (unsigned x = 0; x < 200; x++) ref += (x * ((x * 3) & 255)) & 0xffff;
    printf("rc=%d cycles=%ld sum16=%u (ref %u) fib24=%u\n", rc, c.cycles, sum16, ref & 0xffff, fib);
    int sorted = 1;
    for (int i = 1; i < 64; i++) if (c.mem[0x3000 + i - 1] > c.mem[0x3000 + i]) sorted = 0;
    printf("sorted=%d first=%u last=%u\n", sorted, c.mem[0x3000], c.mem[0x3000 + 63]);
    ck_add((uint64_t)c.cycles); ck_add(sum16); ck_add(fib);
    uint64_t h = 0;
    for (int i = 0; i < 256; i++) h = h * 131 + c.mem[0x3000 + i];
    ck_add(h);

    /* random opcode soup: exercise the decoder on arbitrary bytes */
    uint64_t soup = 0;
    for (int t = 0; t < 60; t++) {
        uint32_t s = 1234u + (uint32_t)t * 7919u;
        memset(&c, 0, sizeof c);
        for (int i = 0; i < 4096; i++) {
            s = s * 1103515245u + 12345u;
            uint8_t op = (uint8_t)((s >> 16) % 0x56u);
            c.mem[0x0400 + i] = op == JMP || op == JSR || op == RTS ? NOP : op;
        }
        c.mem[0x0400 + 4096] = BRK;
        int r = run(&c, 0x0400, 20000);
        soup = soup * 31 + (uint64_t)(uint32_t)r * 7 + c.a + (uint64_t)c.x * 3 + (uint64_t)c.y * 5 + (uint64_t)c.cycles;
    }
    printf("opcode soup hash=%016llx\n", (unsigned long long)soup);
    ck_add(soup);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
