/*
 * LRU map scripts for the Linux 6.1 oracle (test/oracle/lru): the packet carries a script of map
 * operations, one u32 per slot from byte 16 (op << 24 | key; 0 ends it). Each slot is overwritten with
 * its result:
 *   op 1/2/3  bpf_map_update_elem(key, value = slot index + 1, flags = op - 1)  -> -errno
 *   op 4      bpf_map_lookup_elem(key) (sets the ref bit)                      -> this CPU's value or 0xffffffff
 *   op 5      bpf_map_delete_elem(key)                                         -> -errno
 *   op 6      bpf_for_each_map_elem (sets no ref bits)                         -> elements visited
 * After the script: at COUNT_OFF the number of elements (bpf_for_each_map_elem, which sets no ref bits),
 * then at BITMAP_OFF a bitmap of the keys 0..MAXKEY-1 present (program lookups, after everything else).
 * One program per map; the map definitions are the cases' LRU configurations.
 */
#include "../../fixtures/src/bpf.h"

#define NOPS 400
#define MAXKEY 512
#define COUNT_OFF (16 + 4 * NOPS)
#define BITMAP_OFF (COUNT_OFF + 4)
#define BPF_F_NO_COMMON_LRU 2

#define LRU_MAP(name, t, n, fl)                 \
	struct {                                \
		__uint(type, t);                \
		__uint(max_entries, n);         \
		__uint(map_flags, fl);          \
		__type(key, __u32);             \
		__type(value, __u32);           \
	} name SEC(".maps")

LRU_MAP(lru2, BPF_MAP_TYPE_LRU_HASH, 2, 0);
LRU_MAP(lru3, BPF_MAP_TYPE_LRU_HASH, 3, 0);
LRU_MAP(lru4, BPF_MAP_TYPE_LRU_HASH, 4, 0);
LRU_MAP(lru8, BPF_MAP_TYPE_LRU_HASH, 8, 0);
LRU_MAP(lru200, BPF_MAP_TYPE_LRU_HASH, 200, 0);
LRU_MAP(pcpu4, BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 0);
LRU_MAP(pcpu200, BPF_MAP_TYPE_LRU_PERCPU_HASH, 200, 0);
LRU_MAP(nc4, BPF_MAP_TYPE_LRU_HASH, 4, BPF_F_NO_COMMON_LRU);
LRU_MAP(nc8, BPF_MAP_TYPE_LRU_HASH, 8, BPF_F_NO_COMMON_LRU);
LRU_MAP(nc200, BPF_MAP_TYPE_LRU_HASH, 200, BPF_F_NO_COMMON_LRU);
LRU_MAP(ncpcpu8, BPF_MAP_TYPE_LRU_PERCPU_HASH, 8, BPF_F_NO_COMMON_LRU);

static long count_cb(void *map, void *key, void *val, void *ctx)
{
	(*(__u32 *)ctx)++;
	return 0;
}

static __attribute__((always_inline)) int script(struct __sk_buff *skb, void *map)
{
	__u32 i, k, cnt = 0;

	for (i = 0; i < NOPS; i++) {
		__u32 w = 0, key, op, r, v = i + 1, *p;

		if (bpf_skb_load_bytes(skb, 16 + 4 * i, &w, 4) || !w)
			break;
		op = w >> 24;
		key = w & 0xffffff;
		if (op >= 1 && op <= 3) {
			r = -bpf_map_update_elem(map, &key, &v, op - 1);
		} else if (op == 4) {
			p = bpf_map_lookup_elem(map, &key);
			r = p ? *p : 0xffffffff;
		} else if (op == 5) {
			r = -bpf_map_delete_elem(map, &key);
		} else if (op == 6) {
			r = 0;
			bpf_for_each_map_elem(map, count_cb, &r, 0);
		} else {
			r = 0xeeeeeeee;
		}
		bpf_skb_store_bytes(skb, 16 + 4 * i, &r, 4, 0);
	}
	bpf_for_each_map_elem(map, count_cb, &cnt, 0);
	bpf_skb_store_bytes(skb, COUNT_OFF, &cnt, 4, 0);
	for (k = 0; k < MAXKEY / 32; k++) {
		__u32 bits = 0, j;

		for (j = 0; j < 32; j++) {
			__u32 key = k * 32 + j;

			if (bpf_map_lookup_elem(map, &key))
				bits |= 1u << j;
		}
		bpf_skb_store_bytes(skb, BITMAP_OFF + 4 * k, &bits, 4, 0);
	}
	return cnt;
}

#define PROG(name) SEC("tc") int run_##name(struct __sk_buff *skb) { return script(skb, &name); }

PROG(lru2)
PROG(lru3)
PROG(lru4)
PROG(lru8)
PROG(lru200)
PROG(pcpu4)
PROG(pcpu200)
PROG(nc4)
PROG(nc8)
PROG(nc200)
PROG(ncpcpu8)

char LICENSE[] SEC("license") = "GPL";
