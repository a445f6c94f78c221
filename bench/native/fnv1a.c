/* fnv1a: 64-bit FNV-1a over 64 KiB, 100 times; r0 = the xor of the 100 hashes (bench/programs.ts fnv1a). */
#include "harness.h"

static uint8_t data[64 * 1024];

static void setup(void) { bytes64k(data); }

static uint64_t work(void) {
  uint64_t out = 0;
  uint8_t *p = data;
  for (int r = 0; r < 100; r++) {
    OPAQUE(p);
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 64 * 1024; i++) {
      h ^= p[i];
      h *= 0x100000001b3ull;
    }
    out ^= h;
  }
  return out;
}
