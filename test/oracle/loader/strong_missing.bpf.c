/* A strong `__kconfig` extern the config file does not set: libbpf refuses to load the object. */
#include "../../fixtures/src/bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern _Bool CONFIG_PREEMPT __kconfig; /* "# CONFIG_PREEMPT is not set" */

SEC("socket")
int kconfig_strong_unset(struct __sk_buff *skb)
{
	return CONFIG_PREEMPT;
}
