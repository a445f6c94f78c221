/*
 * What libbpf's load does to a program before the verifier sees it, against the Linux 6.1 oracle
 * (test/oracle/loader): `.rodata` and `.kconfig` maps are filled and frozen, so the verifier reads
 * their contents as constants (bpf_map_direct_read) and prunes the branches they decide, and a
 * helper's constant string must live there (ARG_PTR_TO_CONST_STR). `__kconfig` externs take the
 * values of the kernel's config file (Debian 6.1's: CONFIG_HZ=250, CONFIG_NF_CONNTRACK=m, …) and
 * libbpf's virtual LINUX_* externs. Each program returns a value its constants decide, and reaches
 * an out-of-bounds stack read on the branch a wrong constant would take.
 */
#include "../../fixtures/src/bpf.h"

char LICENSE[] SEC("license") = "GPL";

static long (*bpf_strncmp)(const char *s1, __u32 s1_sz, const char *s2) = (void *)182;

enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };

extern unsigned long CONFIG_HZ __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern _Bool CONFIG_PREEMPT __kconfig __attribute__((weak));            /* "# CONFIG_PREEMPT is not set" */
extern _Bool CONFIG_BPFVM_NOT_A_SETTING __kconfig __attribute__((weak)); /* not in the file at all */
extern enum libbpf_tristate CONFIG_NF_CONNTRACK __kconfig __attribute__((weak));
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig __attribute__((weak));
extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig __attribute__((weak));

const volatile int ro_flag = 0;
const volatile __u32 ro_index = 3;
const volatile int ro_far = 100;
const char ro_str[] = "abc";
char rw_str[] = "abc";

/* An out-of-bounds read of the stack: the verifier rejects any path that reaches it. */
#define OOB() ({ volatile char b[4] = {}; int i = 8; b[i]; })

SEC("socket")
int rodata_dead_branch(struct __sk_buff *skb)
{
	if (ro_flag)
		return OOB();
	return 1;
}

SEC("socket")
int rodata_known_index(struct __sk_buff *skb)
{
	char b[4] = { 1, 2, 3, 4 };
	__u32 i = ro_index;

	return b[i & 7]; /* in bounds only because i is known to be 3 */
}

SEC("socket")
int rodata_known_out_of_bounds(struct __sk_buff *skb)
{
	volatile char b[4] = {};

	return b[ro_far & 127];
}

SEC("socket")
int strncmp_rodata(struct __sk_buff *skb)
{
	char s[4] = "abc";

	return bpf_strncmp(s, sizeof(s), ro_str) == 0 ? 2 : 3;
}

SEC("socket")
int strncmp_writable(struct __sk_buff *skb)
{
	char s[4] = "abc";

	return bpf_strncmp(s, sizeof(s), rw_str);
}

SEC("socket")
int kconfig_hz(struct __sk_buff *skb)
{
	if (CONFIG_HZ != 250)
		return OOB();
	return CONFIG_HZ / 50;
}

SEC("socket")
int kconfig_bools(struct __sk_buff *skb)
{
	if (!CONFIG_BPF_SYSCALL || CONFIG_PREEMPT || CONFIG_BPFVM_NOT_A_SETTING)
		return OOB();
	return 6;
}

SEC("socket")
int kconfig_tristate(struct __sk_buff *skb)
{
	if (CONFIG_NF_CONNTRACK != TRI_MODULE)
		return OOB();
	return 7;
}

SEC("socket")
int kconfig_string(struct __sk_buff *skb)
{
	/* "(none)" */
	if (CONFIG_DEFAULT_HOSTNAME[0] != '(' || CONFIG_DEFAULT_HOSTNAME[5] != ')' || CONFIG_DEFAULT_HOSTNAME[6] != 0)
		return OOB();
	return 8;
}

SEC("socket")
int kconfig_linux_virtual(struct __sk_buff *skb)
{
	if (LINUX_KERNEL_VERSION != ((6 << 16) + (1 << 8)) || !LINUX_HAS_BPF_COOKIE)
		return OOB();
	return 9;
}
