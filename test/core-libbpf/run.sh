#!/usr/bin/env bash
# libbpf's own CO-RE resolution of every object of ../shared/realworld (and the project's fixtures)
# against Linux 6.1's vmlinux BTF (kernel-sim/data/vmlinux-6.1.btf.gz): builds libbpf-core.c against
# Debian's libbpf-dev 1.1.2 (libbpf.a), loads each program alone as the kernel answers were made, and
# writes what libbpf patched, relocation by relocation, to expected-6.1.jsonl.gz beside this script
# (see expected.mjs for the format). Nothing built or fetched is kept.
#
#   test/core-libbpf/run.sh [SHARED]        # default $BPFVM_SHARED or ../shared beside the project
#
# Needs gcc, libbpf-dev 1.1.2, libelf-dev, zlib1g-dev and node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${1:-${BPFVM_SHARED:-$root/../shared}}
version=$(dpkg-query -W -f '${Version}' libbpf-dev)
case "$version" in *1.1.2*) ;; *) echo "libbpf-dev is $version, not 1.1.2" >&2; exit 1 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O2 -Wall -o "$work/libbpf-core" "$here/libbpf-core.c" \
  -Wl,--wrap=syscall,--wrap=fopen,--wrap=btf__load_vmlinux_btf /usr/lib/x86_64-linux-gnu/libbpf.a -lelf -lz
gzip -dc "$root/kernel-sim/data/vmlinux-6.1.btf.gz" > "$work/vmlinux.btf"
gzip -dc "$root/kernel-sim/data/config-6.1.gz" > "$work/config"

{
  (cd "$shared/realworld" && find objects -name '*.o' | LC_ALL=C sort) | while read -r o; do
    { "$work/libbpf-core" "$work/vmlinux.btf" "$work/config" "$shared/realworld/$o" 2>&1 || true; } \
      | node "$here/expected.mjs" "realworld/$o"
  done
  (cd "$root/test" && ls fixtures/*.bpf.o | LC_ALL=C sort) | while read -r o; do
    { "$work/libbpf-core" "$work/vmlinux.btf" "$work/config" "$root/test/$o" 2>&1 || true; } \
      | node "$here/expected.mjs" "test/$o" --log
  done
} | gzip -n > "$here/expected-6.1.jsonl.gz"
echo "wrote $here/expected-6.1.jsonl.gz"
