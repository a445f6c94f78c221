/**
 * The libbpf-style C fixtures (test/fixtures/src/libbpf/*.bpf.c, compiled against the vmlinux.h of
 * Linux 6.1's own BTF, objects in test/fixtures/libbpf/, each also as bpftool links it) as a batch for the Linux 6.1 oracle
 * (../shared/oracle, Debian linux-image-6.1.0-50-amd64, the build kernel-sim/data's BTF comes from):
 * every program of every object, loaded with libbpf at log level 1, and test-run where a packet or a
 * context is given. `test/libbpf-fixtures.test.ts` holds bpfvm to the kernel's answers (results.jsonl).
 *
 *   npx vite-node test/oracle/libbpf/gen-manifest.ts      # writes manifest and objects
 *   sh test/oracle/libbpf/run.sh                          # copies the objects, runs the batch
 */

export interface LibbpfCase {
  id: string;
  /** Object file under test/fixtures/libbpf/. */
  object: string;
  prog: string;
  /** data_in, hex (packet programs). */
  pkt?: string;
  /**
   * ctx_in, hex, given only so that the oracle attempts a test run and reports what 6.1 says (ENOTSUPP
   * for the types without a test-run hook; fentry/fexit ignore it).
   */
  ctx?: string;
}

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

function pad(b: number[], total: number): number[] {
  while (b.length < total) b.push(0);
  return b;
}

const MACS = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];
/** IPv4 192.168.0.1 → 192.168.0.2, TTL 64, protocol `proto`, total length `len`. */
const ipv4 = (proto: number, len: number): number[] =>
  [0x45, 0x00, len >> 8, len & 0xff, 0x00, 0x00, 0x40, 0x00, 0x40, proto, 0x00, 0x00, 192, 168, 0, 1, 192, 168, 0, 2];

/** 64-byte Ethernet frame: IPv4/UDP, IP total length 50. */
export const PKT_UDP = hex(pad([...MACS, 0x08, 0x00, ...ipv4(17, 50)], 64));
/** 64-byte frame with one 802.1Q tag (VLAN 5) around IPv4/TCP, IP total length 46. */
export const PKT_VLAN_TCP = hex(pad([...MACS, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00, ...ipv4(6, 46)], 64));
/** 60-byte ARP request (not IP). */
export const PKT_ARP = hex(pad([...MACS, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01], 60));
/** Ethernet + the first 10 bytes of an IPv4 header: too short for struct iphdr. */
export const PKT_SHORT_IP = hex([...MACS, 0x08, 0x00, ...ipv4(17, 50).slice(0, 10)]);

const CTX = '00';
const base = (object: string): string => object.replace(/\.bpf\.o$/, '');
const traced = (object: string, prog: string): LibbpfCase => ({ id: `${base(object)}.${prog}`, object, prog, ctx: CTX });
const packet = (object: string, prog: string, name: string, pkt: string): LibbpfCase =>
  ({ id: `${base(object)}.${prog}.${name}`, object, prog, pkt });

/** Each program as clang compiled it (NAME.bpf.o). */
const COMPILED: readonly LibbpfCase[] = [
  traced('minimal.bpf.o', 'handle_tp'),
  traced('bootstrap.bpf.o', 'handle_exec'),
  traced('bootstrap.bpf.o', 'handle_exit'),
  traced('kprobe.bpf.o', 'do_unlinkat'),
  traced('kprobe.bpf.o', 'do_unlinkat_exit'),
  traced('fentry.bpf.o', 'do_unlinkat'),
  traced('fentry.bpf.o', 'do_unlinkat_exit'),
  traced('tp_btf.bpf.o', 'sched_switch'),
  packet('tc.bpf.o', 'tc_ingress', 'udp', PKT_UDP),
  packet('tc.bpf.o', 'tc_ingress', 'arp', PKT_ARP),
  packet('tc.bpf.o', 'tc_ingress', 'short', PKT_SHORT_IP),
  packet('xdp.bpf.o', 'xdp_count', 'udp', PKT_UDP),
  packet('xdp.bpf.o', 'xdp_count', 'vlan_tcp', PKT_VLAN_TCP),
  packet('xdp.bpf.o', 'xdp_count', 'arp', PKT_ARP),
  packet('xdp.bpf.o', 'xdp_count', 'short', PKT_SHORT_IP),
  traced('lsm.bpf.o', 'lsm_bpf'),
  traced('lsm.bpf.o', 'lsm_file_open'),
  traced('task_iter.bpf.o', 'dump_task'),
  traced('uprobe.bpf.o', 'uprobe_greet'),
  traced('uprobe.bpf.o', 'uretprobe_greet'),
  traced('ksyscall.bpf.o', 'tgkill_entry'),
  traced('ksyscall.bpf.o', 'kill_entry'),
  // the two mistakes 6.1 rejects
  traced('mistakes.bpf.o', 'kprobe_deref'),
  packet('mistakes.bpf.o', 'tc_no_bounds', 'udp', PKT_UDP),
];

/**
 * The same programs from the objects `bpftool gen object` linked (NAME.linked.bpf.o), as
 * libbpf-bootstrap's build ships them; ids `linked.<id>`.
 */
const LINKED: readonly LibbpfCase[] = COMPILED.map((c) => ({ ...c, id: `linked.${c.id}`, object: c.object.replace(/\.bpf\.o$/, '.linked.bpf.o') }));

export const CASES: readonly LibbpfCase[] = [...COMPILED, ...LINKED];

/** The objects the batch needs. */
export const OBJECTS: readonly string[] = [...new Set(CASES.map((c) => c.object))];
