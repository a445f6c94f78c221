/**
 * The four benchmark programs, as BPF assembler (pseudo-C syntax). They are assembled to real bytecode
 * and run by every tier; `bench/suite.ts` gives each its input and a plain-JavaScript baseline.
 */

export const sumSquares = `
// sum of i*i for i < 10^7 (wraps modulo 2^64)
    r0 = 0
    r1 = 0
loop:
    r2 = r1
    r2 *= r1
    r0 += r2
    r1 += 1
    if r1 < 10000000 goto loop
    exit
`;

export const fnv1a = `
// 64-bit FNV-1a over the input memory (r1 = data, r2 = length), repeated 100 times;
// r0 = xor of the 100 hashes
    r0 = 0
    r6 = 100
    r8 = 0x100000001b3 ll
outer:
    r3 = 0xcbf29ce484222325 ll
    r4 = r1
    r5 = r1
    r5 += r2
inner:
    r7 = *(u8 *)(r4 + 0)
    r3 ^= r7
    r3 *= r8
    r4 += 1
    if r4 < r5 goto inner
    r0 ^= r3
    r6 += -1
    if r6 != 0 goto outer
    exit
`;

export const byteSum = `
// sum of the bytes of the input memory (r1 = data, r2 = length), repeated 100 times
    r0 = 0
    r6 = 100
outer:
    r4 = r1
    r5 = r1
    r5 += r2
inner:
    r7 = *(u8 *)(r4 + 0)
    r0 += r7
    r4 += 1
    if r4 < r5 goto inner
    r6 += -1
    if r6 != 0 goto outer
    exit
`;

export const insertionSort = `
// 20 rounds: fill 1000 u64 values at r1 from a linear congruential generator, then insertion-sort
// them ascending; r0 = the smallest value of the last round
    r9 = 20
    r8 = 12345
round:
    r3 = r1
    r4 = r1
    r4 += 8000
fill:
    r8 *= 1103515245
    r8 += 12345
    *(u64 *)(r3 + 0) = r8
    r3 += 8
    if r3 < r4 goto fill
    r3 = r1
    r3 += 8
outer:
    r5 = *(u64 *)(r3 + 0)
    r6 = r3
inner:
    if r6 <= r1 goto place
    r7 = *(u64 *)(r6 - 8)
    if r7 <= r5 goto place
    *(u64 *)(r6 + 0) = r7
    r6 += -8
    goto inner
place:
    *(u64 *)(r6 + 0) = r5
    r3 += 8
    if r3 < r4 goto outer
    r9 += -1
    if r9 != 0 goto round
    r0 = *(u64 *)(r1 + 0)
    exit
`;
