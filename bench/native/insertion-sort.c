/*
 * insertion-sort: 20 rounds of filling 1000 u64 values from a 64-bit LCG (its state carried across rounds)
 * and insertion-sorting them ascending (unsigned); r0 = the smallest value of the last round
 * (bench/programs.ts insertionSort).
 */
#include "harness.h"

static uint64_t a[1000];

static void setup(void) {}

static uint64_t work(void) {
  uint64_t x = 12345;
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 1000; i++) {
      x = x * 1103515245u + 12345u;
      a[i] = x;
    }
    CLOBBER();
    for (int i = 1; i < 1000; i++) {
      uint64_t key = a[i];
      int j = i;
      while (j > 0 && a[j - 1] > key) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = key;
    }
    CLOBBER();
  }
  return a[0];
}
