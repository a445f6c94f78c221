#!/usr/bin/env bash
# Regenerates the kernel data bpfvm carries: the vmlinux BTF and the kernel configuration of the
# reference kernel, Debian's linux-image-6.1.0-50-amd64 (6.1.176-1), the build ../shared/oracle boots
# and ../shared/realworld was judged by.
#
#   kernel-sim/data/regenerate.sh [PACKAGE]     # default linux-image-6.1.0-50-amd64
#
# Needs apt-get (Debian bookworm sources), dpkg-deb, xz, readelf, llvm-objcopy (or objcopy) and node.
# Writes vmlinux-6.1.btf.gz, config-6.1.gz, kallsyms-6.1.gz and PROVENANCE.json next to this script; the
# output is byte-for-byte reproducible (gzip -n: no name, no time stamp). The kallsyms table comes from the
# System.map of the matching -dbg package (about 850 MB to download; the image's own System.map is a stub).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pkg=${1:-linux-image-6.1.0-50-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

apt-get download "$pkg" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download "$pkg" >/dev/null; }
deb=$(ls ./*.deb)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb --fsys-tarfile "$deb" | tar -x ./boot/
vmlinuz=$(ls boot/vmlinuz-*)
config=$(ls boot/config-*)

# The bzImage's payload: find the xz stream whose contents are an ELF (Debian's 6.1 compresses with xz).
found=
for pos in $(tr '\3757zXZ\000\n' '\nxy=' < "$vmlinuz" | grep -abo '^xy' | cut -d: -f1); do
  if tail -c+"$pos" "$vmlinuz" | xz -dc > vmlinux 2>/dev/null || [ -s vmlinux ]; then
    if readelf -h vmlinux >/dev/null 2>&1; then found=1; break; fi
  fi
done
[ -n "$found" ] || { echo "regenerate.sh: no xz-compressed ELF in $vmlinuz" >&2; exit 1; }

objcopy=$(command -v llvm-objcopy || command -v objcopy)
"$objcopy" -O binary --only-section=.BTF vmlinux vmlinux.btf
[ -s vmlinux.btf ] || { echo "regenerate.sh: $vmlinuz has no .BTF section" >&2; exit 1; }

gzip -9 -n -c vmlinux.btf > "$here/vmlinux-6.1.btf.gz"

apt-get download "$pkg-dbg" >/dev/null
dbg=$(ls ./*-dbg_*.deb)
dpkg-deb --fsys-tarfile "$dbg" | tar -x --wildcards './usr/lib/debug/boot/System.map-*'
sysmap=$(ls usr/lib/debug/boot/System.map-*)
node "$here/kallsyms.mjs" "$sysmap" "$here/kallsyms-6.1.gz"
gzip -9 -n -c "$config" > "$here/config-6.1.gz"

sha() { sha256sum "$1" | cut -d' ' -f1; }
cat > "$here/PROVENANCE.json" <<JSON
{
  "package": "$pkg",
  "version": "$version",
  "source": "Debian bookworm (deb.debian.org / security.debian.org), apt-get download",
  "deb_sha256": "$(sha "$deb")",
  "release": "$(basename "$vmlinuz" | sed 's/^vmlinuz-//')",
  "btf": { "file": "vmlinux-6.1.btf.gz", "from": ".BTF section of the vmlinux inside $(basename "$vmlinuz")", "bytes": $(stat -c %s vmlinux.btf), "sha256": "$(sha vmlinux.btf)" },
  "config": { "file": "config-6.1.gz", "from": "$config", "bytes": $(stat -c %s "$config"), "sha256": "$(sha "$config")" },
  "kallsyms": { "file": "kallsyms-6.1.gz", "from": "the non-text symbols of $sysmap in $(basename "$dbg") (kallsyms.mjs)", "deb_sha256": "$(sha "$dbg")", "system_map_sha256": "$(sha "$sysmap")" },
  "regenerate": "kernel-sim/data/regenerate.sh $pkg"
}
JSON
echo "wrote $here/vmlinux-6.1.btf.gz ($(stat -c %s "$here/vmlinux-6.1.btf.gz") bytes), config-6.1.gz, kallsyms-6.1.gz, PROVENANCE.json"
