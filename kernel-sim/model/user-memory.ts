/**
 * A task's simulated user address space: byte ranges at user addresses, what bpf_probe_read_user[_str]
 * and uprobes read. Programs cannot load from user addresses directly (the verifier forbids it), so this
 * memory is not in the address space of regions: only the user-memory helpers see it.
 */

/** x86-64's TASK_SIZE_MAX: user addresses lie below it. */
export const TASK_SIZE_MAX = 0x00007ffffffff000n;

interface Mapping {
  start: bigint;
  bytes: Uint8Array;
}

/** A task's user memory: mappings at user addresses that the user-memory helpers read. */
export class UserMemory {
  private readonly maps: Mapping[] = [];

  /** Map `bytes` at user address `addr` (a later mapping over the same bytes wins). */
  map(addr: bigint, bytes: Uint8Array): void {
    if (addr <= 0n || addr + BigInt(bytes.length) > TASK_SIZE_MAX) {
      throw new RangeError(`user mapping 0x${addr.toString(16)}+${bytes.length} is outside user space (0 .. 0x${TASK_SIZE_MAX.toString(16)})`);
    }
    this.maps.unshift({ start: addr, bytes });
  }

  /** The byte at `addr`, or undefined where nothing is mapped (a fault). */
  byte(addr: bigint): number | undefined {
    for (const m of this.maps) {
      const off = addr - m.start;
      if (off >= 0n && off < BigInt(m.bytes.length)) return m.bytes[Number(off)];
    }
    return undefined;
  }

  /** Writes programs made (bpf_probe_write_user), in order: what a run's result reports. */
  readonly writes: { addr: bigint; before: Uint8Array; after: Uint8Array }[] = [];

  /**
   * Write `bytes` at `addr` (copy_to_user_nofault): false when some byte is unmapped; the bytes before
   * it are written. Each write is logged in `writes`.
   */
  write(addr: bigint, bytes: Uint8Array): boolean {
    const before: number[] = [];
    let i = 0;
    for (; i < bytes.length; i++) {
      const a = addr + BigInt(i);
      const m = this.maps.find((x) => a >= x.start && a - x.start < BigInt(x.bytes.length));
      if (m === undefined) break;
      const off = Number(a - m.start);
      before.push(m.bytes[off]!);
      m.bytes[off] = bytes[i]!;
    }
    if (i > 0) this.writes.push({ addr, before: Uint8Array.from(before), after: bytes.slice(0, i) });
    return i === bytes.length;
  }

  /** `n` bytes from `addr`, or undefined when any of them is unmapped (copy_from_user_nofault fails whole). */
  read(addr: bigint, n: number): Uint8Array | undefined {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const b = this.byte(addr + BigInt(i));
      if (b === undefined) return undefined;
      out[i] = b;
    }
    return out;
  }
}
