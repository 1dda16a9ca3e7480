// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by vmview's commands: their options and operands,
 * colour, sizes, error messages a person understands.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfmt.h"
#include "snapshot.h"
#include "vmview.h"

static int operand;	/* next operand of the command, after options */

int vmv_opt_error(int opt, char **argv)
{
	if (opt == ':')
		return vmv_usage("option '%s' needs an argument", argv[optind - 1]);
	if (optopt)
		return vmv_usage("unknown option '-%c'", optopt);
	return vmv_usage("unknown option '%s'", argv[optind - 1]);
}

int vmv_parse_opts(int argc, char **argv, const char *shortopts,
		   const struct option *longopts, void (*help)(FILE *f),
		   int (*own)(int opt, const char *arg))
{
	static const struct option common[] = {
		{ "help",	no_argument,	NULL,	'h' },
		{ "json",	no_argument,	NULL,	'j' },
		{ "pretty",	no_argument,	NULL,	'p' },
		{ "vmv_verbose",	no_argument,	NULL,	'v' },
	};
	struct option all[32];
	char so[64];
	size_t n = ARRAY_SIZE(common);
	char **av = argv - 1;	/* the command's name, for getopt's argv[0] */
	int ac = argc + 1, opt, ret;
	bool want_help = false;

	if (argc >= 1 && !strcmp(argv[0], "help"))
		return vmv_help(help, NULL);
	memcpy(all, common, sizeof(common));
	while (longopts && longopts->name && n < ARRAY_SIZE(all) - 1)
		all[n++] = *longopts++;
	memset(&all[n], 0, sizeof(all[n]));
	snprintf(so, sizeof(so), ":hjpv%s", shortopts ? shortopts : "");

	optind = 0;	/* glibc: full re-initialisation, start at argv[1] */
	opterr = 0;
	while ((opt = getopt_long(ac, av, so, all, NULL)) >= 0) {
		if (opt == 'h') {	/* after -j too: "show -h -j" */
			want_help = true;
			continue;
		}
		if (vmv_common_opt(opt))
			continue;
		if (want_help)
			continue;	/* help wins over what follows */
		if (opt == ':' || opt == '?' || !own)
			return vmv_opt_error(opt, av);
		ret = own(opt, optarg);
		if (ret)
			return ret;
	}
	if (want_help)
		return vmv_help(help, NULL);
	operand = optind - 1;	/* index into argv */
	return -1;
}

const char *vmv_operand(int argc, char **argv, const char *what)
{
	if (operand >= argc) {
		vmv_usage("missing %s", what);
		return NULL;
	}
	return argv[operand++];
}

bool vmv_more_operands(int argc)
{
	return operand < argc;
}

int vmv_no_more(int argc, char **argv)
{
	if (operand < argc)
		return vmv_usage("unexpected argument '%s'", argv[operand]);
	return -1;
}

const char *vmv_col(const char *code)
{
	static char buf[8][16];
	static int i;

	if (!vmv_use_color)
		return "";
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "\033[%sm", code);
	return buf[i];
}

const char *vmv_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v < 10)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

uint64_t vmv_page_size(void)
{
	static uint64_t ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

bool vmv_parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	if (!s) {
		vmv_usage("missing PID");
		return false;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > (1L << 22)) {
		vmv_usage("'%s' is not a process id", s);
		return false;
	}
	*pid = v;
	return true;
}

static bool is_kernel_thread(pid_t pid)
{
	char path[64], *st;
	bool kt;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	st = vmv_slurp(path, NULL);
	if (!st)
		return false;
	kt = !strstr(st, "\nVmSize:");
	free(st);
	return kt;
}

static void module_missing(void)
{
	if (getenv("VMVIEW_PROCFS") && *getenv("VMVIEW_PROCFS")) {
		vmv_err("%s does not exist (VMVIEW_PROCFS)", vmv_proc_root());
		return;
	}
	vmv_err("the vminspect module is not loaded (no /proc/%s): load it with 'sudo insmod module/vminspect.ko && sudo mount -t %s %s /proc/%s' from the build tree, or 'sudo modprobe vminspect' if installed",
		VMI_PROC_DIR, VMI_FS_TYPE, VMI_FS_TYPE, VMI_PROC_DIR);
}

/* /proc/vminspect without its processes file: loaded, not mounted there */
static bool module_unmounted(void)
{
	struct stat st;
	char path[512];

	if (getenv("VMVIEW_PROCFS") && *getenv("VMVIEW_PROCFS"))
		return false;
	snprintf(path, sizeof(path), "%s/%s", vmv_proc_root(),
		 VMI_PROC_PROCESSES);
	if (!stat(path, &st))
		return false;
	vmv_err("the vminspect module is loaded but not mounted on %s (in this mount namespace): mount it with 'sudo mount -t %s %s %s'",
		vmv_proc_root(), VMI_FS_TYPE, VMI_FS_TYPE, vmv_proc_root());
	return true;
}

int vmv_proc_error(int err, pid_t pid, const char *file)
{
	struct stat st;
	char path[64];

	if (vmv_get_source() && vmv_get_source()->error)
		return vmv_get_source()->error(err, file);
	switch (-err) {
	case EPROTO:
		vmv_err("%s", vmv_fmt_error());
		break;
	case ENOENT:
		if (stat(vmv_proc_root(), &st)) {
			module_missing();
			break;
		}
		if (module_unmounted())
			break;
		if (!pid) {
			vmv_err("%s/%s is missing: is the vminspect module older than this vmview?",
				vmv_proc_root(), file);
			break;
		}
		if (kill(pid, 0) && errno == ESRCH) {
			vmv_err("no such process: %d", pid);
			break;
		}
		if (is_kernel_thread(pid)) {
			vmv_err("process %d is a kernel thread: it has no user address space to show",
				pid);
			break;
		}
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (stat(path, &st)) {
			/* hidepid=2, or a pid namespace: the kernel hides it */
			vmv_err("no such process: %d (your /proc does not show it, so vminspect does not either)",
				pid);
			break;
		}
		snprintf(path, sizeof(path), "%s/%d", vmv_proc_root(), pid);
		if (stat(path, &st))
			vmv_err("process %d has no %s directory (it is not a thread-group leader, or it just started or exited)",
				pid, path);
		else
			vmv_err("%s/%s is missing: is the vminspect module older than this vmview?",
				path, file);
		break;
	case EIO:
		/*
		 * procfs gives EIO on a file whose entry was removed while it
		 * was open: the module removes a process's directory when the
		 * process exits.
		 */
		snprintf(path, sizeof(path), "%s/%d", vmv_proc_root(), pid);
		if (pid && (stat(path, &st) || (kill(pid, 0) && errno == ESRCH))) {
			vmv_err("process %d exited while being read", pid);
			break;
		}
		vmv_err("reading %s/%s: %s", path, file, strerror(EIO));
		break;
	case ESRCH:
		vmv_err("process %d exited while being read", pid);
		break;
	case EACCES:
	case EPERM:
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (!pid) {
			vmv_err("permission denied reading %s/%s", vmv_proc_root(),
				file);
		} else if (!stat(path, &st) && st.st_uid != geteuid()) {
			vmv_err("permission denied: process %d belongs to uid %u and you are uid %u; reading another process's page tables needs the right to open its /proc/PID/pagemap, which the kernel gives to whoever may ptrace it for reading (same user and dumpable, or root: CAP_SYS_PTRACE) if the LSMs agree",
				pid, st.st_uid, geteuid());
		} else {
			vmv_err("permission denied reading process %d: reading a process's page tables needs the right to open its /proc/PID/pagemap, which the kernel gives to whoever may ptrace it for reading (same user and dumpable, not setuid, or root: CAP_SYS_PTRACE) if the LSMs agree",
				pid);
		}
		break;
	case ENOMEM:
		vmv_err("out of memory");
		break;
	default:
		if (pid)
			vmv_err("reading %s/%d/%s: %s", vmv_proc_root(), pid, file,
				strerror(-err));
		else
			vmv_err("reading %s/%s: %s", vmv_proc_root(), file,
				strerror(-err));
	}
	return VMV_EXIT_ERR;
}

/* A small file (sysfs, status) into @buf, NUL-terminated: its length or -1. */
ssize_t vmv_read_small(const char *path, char *buf, size_t cap)
{
	ssize_t n, r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = 0;
	while ((size_t)n + 1 < cap) {
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	return n;
}
