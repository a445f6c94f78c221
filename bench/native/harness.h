/*
 * The native baseline of `bpfvm bench`: each workload's C program includes this file and defines
 * `work(void)`, which does what one run of the BPF program does and returns its r0. main() times runs of it
 * in-process (clock_gettime around the loop, so process start is not counted) until argv[1] seconds have
 * passed (at least 5 runs), and prints `result=<r0> runs=<n> ns=<total>`; the bench checks the result
 * against the BPF program's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The compiler may not hoist a run out of the loop: every run sees memory as changed. */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x))
#define CLOBBER() __asm__ volatile("" ::: "memory")

static uint64_t work(void);
static void setup(void);

/* 64 KiB of deterministic bytes, as bench/suite.ts makes them (a 32-bit LCG's top byte). */
static inline void bytes64k(uint8_t *b) {
  uint32_t x = 0x12345678u;
  for (int i = 0; i < 64 * 1024; i++) {
    x = x * 1103515245u + 12345u;
    b[i] = (uint8_t)(x >> 24);
  }
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  setup();
  uint64_t r = work(); /* warm-up, and the result checked */
  long runs = 0;
  double t0 = now_ns(), t;
  do {
    CLOBBER();
    uint64_t x = work();
    OPAQUE(x);
    if (x != r) {
      fprintf(stderr, "runs disagree\n");
      return 1;
    }
    runs++;
    t = now_ns();
  } while (runs < 5 || t - t0 < seconds * 1e9);
  printf("result=%llu runs=%ld ns=%.0f\n", (unsigned long long)r, runs, t - t0);
  return 0;
}
