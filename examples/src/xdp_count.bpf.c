/* An XDP program: count IPv4 packets per protocol in a hash map, drop ICMP, pass the rest.
 * Build: clang -O2 -g -target bpf -c src/xdp_count.bpf.c -o xdp_count.bpf.o  (examples/build.sh) */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

struct xdp_md { __u32 data; __u32 data_end; __u32 data_meta; __u32 ingress_ifindex; __u32 rx_queue_index; };
struct ethhdr { __u8 dst[6]; __u8 src[6]; __u16 proto; };
struct iphdr { __u8 ver_ihl; __u8 tos; __u16 len; __u16 id; __u16 frag; __u8 ttl; __u8 protocol; __u16 csum; __u32 saddr; __u32 daddr; };

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;

struct {
	__uint(type, 1 /* BPF_MAP_TYPE_HASH */);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end || eth->proto != __builtin_bswap16(0x0800))
		return 2; /* XDP_PASS */
	__u32 key = ip->protocol;
	__u64 one = 1, *n = bpf_map_lookup_elem(&proto_count, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&proto_count, &key, &one, 0);
	char fmt[] = "proto %d, %d bytes\n";
	bpf_trace_printk(fmt, sizeof(fmt), key, (int)(end - data));
	return key == 1 ? 1 /* XDP_DROP */ : 2;
}

char LICENSE[] SEC("license") = "GPL";
