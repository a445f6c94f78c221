#!/bin/sh
# Run the unprivileged-load batch on the 6.1 oracle: writes the batch (manifest + raw programs) from
# cases.ts into a temporary folder, runs it, and writes results.jsonl beside this script.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
oracle="${BPF_ORACLE:-$here/../../../../shared/oracle}"
batch="$(mktemp -d)"
trap 'rm -rf "$batch"' EXIT
(cd "$here/../../.." && npx vite-node test/oracle/unpriv/gen-manifest.ts "$batch")
BPF_ORACLE_MEM="${BPF_ORACLE_MEM:-1G}" "$oracle/run-batch.sh" 6.1 "$batch" "$here/results.jsonl"
rm -f "$here/results.jsonl.console"
