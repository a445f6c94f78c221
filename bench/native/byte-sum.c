/* byte-sum: the sum of 64 KiB of bytes, 100 times (bench/programs.ts byteSum). */
#include "harness.h"

static uint8_t data[64 * 1024];

static void setup(void) { bytes64k(data); }

static uint64_t work(void) {
  uint64_t s = 0;
  uint8_t *p = data;
  for (int r = 0; r < 100; r++) {
    OPAQUE(p);
    for (int i = 0; i < 64 * 1024; i++) s += p[i];
  }
  return s;
}
