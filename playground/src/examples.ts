/** The programs the page offers to start from. */
export interface Example {
  title: string;
  progType: string;
  asm: string;
  /** A packet preset (src/packet.ts PRESETS) to run it on. */
  preset: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    title: 'XDP: drop DNS queries',
    progType: 'xdp',
    preset: 'IPv4 / UDP DNS',
    asm: `// XDP: drop UDP packets to port 53 (and say so with trace_printk), pass the rest.
    r2 = *(u32 *)(r1 + 4)        // ctx->data_end
    r1 = *(u32 *)(r1 + 0)        // ctx->data
    r3 = r1
    r3 += 42                     // Ethernet (14) + IPv4 (20) + UDP (8)
    if r3 > r2 goto pass         // too short for the headers
    r4 = *(u16 *)(r1 + 12)       // EtherType
    if r4 != 0x8 goto pass       // not IPv4 (0x0800, network order)
    r4 = *(u8 *)(r1 + 23)        // IPv4 protocol
    if r4 != 17 goto pass        // not UDP
    r4 = *(u16 *)(r1 + 36)       // UDP destination port
    if r4 != 0x3500 goto pass    // not 53
    r1 = 0x0a706f7264 ll         // "drop\\n"
    *(u64 *)(r10 - 8) = r1
    r1 = r10
    r1 += -8
    r2 = 6
    call bpf_trace_printk
    r0 = 1                       // XDP_DROP
    exit
pass:
    r0 = 2                       // XDP_PASS
    exit
`,
  },
  {
    title: 'XDP: bounce with MACs swapped',
    progType: 'xdp',
    preset: 'IPv4 / TCP SYN',
    asm: `// XDP: swap the Ethernet source and destination and send the frame back (XDP_TX).
    r2 = *(u32 *)(r1 + 4)        // data_end
    r1 = *(u32 *)(r1 + 0)        // data
    r3 = r1
    r3 += 14
    if r3 > r2 goto pass
    r4 = *(u32 *)(r1 + 0)        // dst[0..3]
    r5 = *(u16 *)(r1 + 4)        // dst[4..5]
    r6 = *(u32 *)(r1 + 6)        // src[0..3]
    r7 = *(u16 *)(r1 + 10)       // src[4..5]
    *(u32 *)(r1 + 0) = r6
    *(u16 *)(r1 + 4) = r7
    *(u32 *)(r1 + 6) = r4
    *(u16 *)(r1 + 10) = r5
    r0 = 3                       // XDP_TX
    exit
pass:
    r0 = 2                       // XDP_PASS
    exit
`,
  },
  {
    title: 'Rejected: no bounds check',
    progType: 'xdp',
    preset: 'IPv4 / TCP SYN',
    asm: `// The verifier rejects this one: the packet is read before
// the program proved it is long enough (compare with data_end first).
    r2 = *(u32 *)(r1 + 4)        // data_end
    r1 = *(u32 *)(r1 + 0)        // data
    r0 = *(u16 *)(r1 + 12)       // EtherType, unchecked
    if r0 == 0x8 goto ipv4
    r0 = 2                       // XDP_PASS
    exit
ipv4:
    r0 = 1                       // XDP_DROP
    exit
`,
  },
  {
    title: 'TC: shoot TCP SYNs to port 22',
    progType: 'tc',
    preset: 'IPv4 / TCP SYN',
    asm: `// TC classifier: drop (TC_ACT_SHOT) TCP SYNs to port 22, let everything else through (TC_ACT_OK).
    r2 = *(u32 *)(r1 + 80)       // skb->data_end
    r1 = *(u32 *)(r1 + 76)       // skb->data
    r3 = r1
    r3 += 54                     // Ethernet + IPv4 + TCP
    if r3 > r2 goto ok
    r4 = *(u8 *)(r1 + 23)        // IPv4 protocol
    if r4 != 6 goto ok
    r4 = *(u16 *)(r1 + 36)       // TCP destination port
    if r4 != 0x1600 goto ok      // 22, network order
    r4 = *(u8 *)(r1 + 47)        // TCP flags
    r4 &= 0x12                   // SYN and ACK
    if r4 != 0x2 goto ok         // a SYN without ACK
    r0 = 2                       // TC_ACT_SHOT
    exit
ok:
    r0 = 0                       // TC_ACT_OK
    exit
`,
  },
  {
    title: 'Socket filter: a loop (fib 20)',
    progType: 'socket',
    preset: 'IPv4 / UDP DNS',
    asm: `// A bounded loop: r0 = fib(20) = 6765; a socket filter keeps that many bytes.
    r0 = 0
    r1 = 1
    r2 = 20
loop:
    if r2 == 0 goto done
    r3 = r0
    r3 += r1
    r0 = r1
    r1 = r3
    r2 += -1
    goto loop
done:
    exit
`,
  },
];
