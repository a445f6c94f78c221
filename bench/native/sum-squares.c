/* sum-squares: sum of i*i for i < 10^7, modulo 2^64 (bench/programs.ts sumSquares). */
#include "harness.h"

static void setup(void) {}

static uint64_t work(void) {
  uint64_t n = 10000000, acc = 0;
  OPAQUE(n);
  for (uint64_t i = 0; i < n; i++) acc += i * i;
  return acc;
}
