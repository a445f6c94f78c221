// SPDX-License-Identifier: MIT
/*
 * libbpf-core: what libbpf itself does with an object's CO-RE relocations against a given vmlinux BTF.
 *
 *   libbpf-core VMLINUX_BTF KCONFIG OBJECT [PROGRAM]
 *
 * For each program of OBJECT (or only PROGRAM), the object is opened with btf_custom_path = VMLINUX_BTF
 * and that one program is loaded alone, as ../shared/realworld's kernel answers were made. No kernel is
 * involved: the bpf() syscall is answered here (every probe and map creation succeeds, BPF_PROG_LOAD is
 * accepted), the kernel BTF libbpf wants for tracing attach targets and __ksym externs is VMLINUX_BTF
 * too, and /proc/kallsyms lists every extern the object declares, so that the load reaches
 * bpf_object__relocate_core. Every libbpf print (LIBBPF_DEBUG included) goes to stdout as
 *   P <program> <level> <line>
 * followed by
 *   R <program> <bpf_object__load's return value>
 *
 * Linked against Debian's libbpf-dev 1.1.2 (libbpf.a) with -Wl,--wrap=syscall,--wrap=fopen,
 * --wrap=btf__load_vmlinux_btf; see build.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

static const char *vmlinux_path;
static const char *object_path;
static const char *current_prog = "-";

long __real_syscall(long number, ...);
FILE *__real_fopen(const char *path, const char *mode);
struct btf *__real_btf__load_vmlinux_btf(void);

static int fake_fd(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* bpf(): everything the load needs succeeds; nothing reaches a kernel. */
static long fake_bpf(int cmd, union bpf_attr *attr)
{
	switch (cmd) {
	case BPF_PROG_LOAD:
	case BPF_MAP_CREATE:
	case BPF_BTF_LOAD:
	case BPF_RAW_TRACEPOINT_OPEN:
	case BPF_LINK_CREATE:
		return fake_fd();
	case BPF_BTF_GET_NEXT_ID:
	case BPF_PROG_GET_NEXT_ID:
	case BPF_MAP_GET_NEXT_ID:
		errno = ENOENT;
		return -1;
	case BPF_OBJ_GET_INFO_BY_FD: {
		/* zeroed info of the size asked for */
		void *info = (void *)(unsigned long)attr->info.info;
		if (info != NULL)
			memset(info, 0, attr->info.info_len);
		return 0;
	}
	default:
		return 0;
	}
}

long __wrap_syscall(long number, ...)
{
	va_list ap;
	long a[6];
	int i;

	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == __NR_bpf)
		return fake_bpf((int)a[0], (union bpf_attr *)a[1]);
	return __real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* /proc/kallsyms: every extern VAR and FUNC the object's BTF declares, at made-up addresses. */
FILE *__wrap_fopen(const char *path, const char *mode)
{
	struct btf *btf;
	FILE *f;
	unsigned int i, n;

	if (strcmp(path, "/proc/kallsyms") != 0)
		return __real_fopen(path, mode);
	f = tmpfile();
	if (f == NULL)
		return NULL;
	btf = btf__parse_elf(object_path, NULL);
	if (btf != NULL) {
		n = btf__type_cnt(btf);
		for (i = 1; i < n; i++) {
			const struct btf_type *t = btf__type_by_id(btf, i);
			int extern_var = btf_is_var(t) && btf_var(t)->linkage == BTF_VAR_GLOBAL_EXTERN;
			int extern_func = btf_is_func(t) && BTF_INFO_VLEN(t->info) == BTF_FUNC_EXTERN;

			if (extern_var || extern_func)
				fprintf(f, "%016llx %c %s\n", 0xffffffff81000000ULL + i * 64ULL,
					extern_var ? 'D' : 'T', btf__name_by_offset(btf, t->name_off));
		}
		btf__free(btf);
	}
	rewind(f);
	return f;
}

/* The kernel's BTF is the one given. */
struct btf *__wrap_btf__load_vmlinux_btf(void)
{
	return btf__parse(vmlinux_path, NULL);
}

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list args)
{
	static const char *names[] = { "warn", "info", "debug" };
	char buf[4096], *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, args);
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		printf("P %s %s %s\n", current_prog, names[level], line);
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = __real_fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf == NULL || fread(buf, 1, n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int load_one(const char *kconfig, const char *only)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = vmlinux_path, .kconfig = kconfig);
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	obj = bpf_object__open_file(object_path, &opts);
	if (obj == NULL) {
		printf("R %s open %d\n", only, -errno);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), only) == 0);
	current_prog = only;
	err = bpf_object__load(obj);
	printf("R %s %d\n", only, err);
	current_prog = "-";
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_object *obj;
	struct bpf_program *prog;
	char *kconfig;
	char **names = NULL;
	int n = 0, i;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s VMLINUX_BTF KCONFIG OBJECT [PROGRAM]\n", argv[0]);
		return 2;
	}
	vmlinux_path = argv[1];
	object_path = argv[3];
	kconfig = read_file(argv[2]);
	if (kconfig == NULL) {
		fprintf(stderr, "%s: cannot read\n", argv[2]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_cb);
	if (argc == 5)
		return load_one(kconfig, argv[4]);

	obj = bpf_object__open_file(object_path, &opts);
	if (obj == NULL) {
		printf("R - open %d\n", -errno);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		names = realloc(names, sizeof(*names) * (n + 1));
		names[n++] = strdup(bpf_program__name(prog));
	}
	bpf_object__close(obj);
	for (i = 0; i < n; i++)
		load_one(kconfig, names[i]);
	return 0;
}
