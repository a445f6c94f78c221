#!/bin/sh
# Rebuilds the example objects with Debian's clang (apt-get install clang llvm).
set -e
cd "$(dirname "$0")"
for src in src/*.bpf.c; do
  clang -O2 -g -target bpf -c "$src" -o "$(basename "${src%.c}").o"
done
