#!/bin/sh
# Run the libbpf-fixture batch on the 6.1 oracle: copies manifest + the objects it names
# (test/fixtures/libbpf/*.o) into a temporary batch folder and writes results.jsonl beside this script.
# The oracle must be set up with the build the project's BTF comes from:
#   BPF_ORACLE_PKG_6_1=linux-image-6.1.0-50-amd64 …/oracle/setup.sh 6.1
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
oracle="${BPF_ORACLE:-${BPFVM_SHARED:-$here/../../../../shared}/oracle}"
batch="$(mktemp -d)"
trap 'rm -rf "$batch"' EXIT
cp "$here/manifest" "$batch/"
while read -r o; do cp "$here/../../fixtures/libbpf/$o" "$batch/"; done < "$here/objects"
"$oracle/run-batch.sh" 6.1 "$batch" "$here/results.jsonl"
rm -f "$here/results.jsonl.console"
