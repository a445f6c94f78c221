#!/bin/sh
# Run the loader batch on the 6.1 oracle: loader.bpf.o and strong_missing.bpf.o (clang -O2 -g -target bpfel
# -c X.bpf.c) + manifest, results in results.jsonl beside this script.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
oracle="${BPF_ORACLE:-$here/../../../../shared/oracle}"
batch="$(mktemp -d)"
trap 'rm -rf "$batch"' EXIT
cp "$here/manifest" "$here"/*.bpf.o "$batch/"
"$oracle/run-batch.sh" 6.1 "$batch" "$here/results.jsonl"
rm -f "$here/results.jsonl.console"
