// SPDX-License-Identifier: GPL-2.0
/*
 * vmview - the vminspect viewer: a table of commands in the style of
 * bpftool, unique prefixes accepted, global options before the command
 * (and the common ones after it too), one error printer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vmview.h"

#define VMVIEW_VERSION	"1.0"

bool json_output;
bool pretty_output;
int verbose;
const char *bin_name = "vmview";
static const char *cur_cmd;

void p_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_output) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(msg));
		vmv_json_print(o);
		fflush(stdout);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", bin_name, msg);
}

int p_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", bin_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cur_cmd)
		fprintf(stderr, "\nTry '%s %s help'.\n", bin_name, cur_cmd);
	else
		fprintf(stderr, "\nTry '%s help'.\n", bin_name);
	return VMV_EXIT_USAGE;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	const struct cmd *found = NULL;
	char names[256] = "";
	size_t len;
	int i, n = 0;

	if (argc < 1 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))
		return help(argc, argv);
	len = strlen(argv[0]);
	for (i = 0; cmds[i].name; i++) {
		if (!strcmp(cmds[i].name, argv[0])) {
			found = &cmds[i];
			n = 1;
			break;
		}
		if (len && !strncmp(cmds[i].name, argv[0], len)) {
			found = &cmds[i];
			n++;
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", cmds[i].name);
		}
	}
	if (n > 1)
		return p_usage("'%s' is ambiguous: %s", argv[0], names);
	if (!found)
		return p_usage("unknown command '%s'", argv[0]);
	if (!strcmp(found->name, "help"))
		return help(argc - 1, argv + 1);
	if (!cur_cmd)
		cur_cmd = found->name;
	/* as bpftool: the command gets the words after its name */
	return found->func(argc - 1, argv + 1);
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Look inside a live process's virtual memory (the vminspect module).\n"
		"\n"
		"Commands (any unique prefix will do):\n"
		"  ps [--sort pt|rss|vmas|faults|tlb]   every process: VMAs, RSS, page tables\n"
		"  show PID                             mm summary, page-table census, counters\n"
		"  maps PID                             VMA map with residency per VMA\n"
		"  pt PID [--map]                       page-table census tree, or the map\n"
		"  translate PID ADDR                   walk ADDR level by level, ELF symbol\n"
		"  snapshot PID [-o FILE]               all of the above in one JSON file\n"
		"  diff A B | diff --fork PARENT CHILD  what changed (A, B: pid or snapshot)\n"
		"  html PID|SNAPSHOT [-o FILE]          the address space as one HTML page\n"
		"  top [-n N] [-d SECS]                 live faults and TLB flushes per second\n"
		"  probe start|stop|status|check        the eBPF fault and TLB probes\n"
		"  export [-o FILE] [--interval SECS]   Prometheus metrics (textfile collector)\n"
		"  serve [--listen ADDR]                Prometheus metrics on HTTP, /metrics\n"
		"  help                                 this text; 'vmview COMMAND help'\n"
		"\n"
		"Options:\n"
		"  -j, --json      JSON output (errors too: {\"error\": ...})\n"
		"  -p, --pretty    indented JSON (implies -j)\n"
		"  -v, --verbose   more detail (library messages too)\n"
		"  -V, --version   print the version\n"
		"  -h, --help      this text\n"
		"\n"
		"show, maps, pt and translate take a snapshot file in place of a PID.\n"
		"\n"
		"Exit status: 0 ok, 1 error, 2 bad arguments.  See vmview(8).\n",
		bin_name);
}

static const struct cmd cmds[];

static int do_help(int argc, char **argv)
{
	/* "vmview help CMD" is "vmview CMD help"; "help -h" is plain help */
	if (argc >= 1 && strcmp(argv[0], "help") && strcmp(argv[0], "-h") &&
	    strcmp(argv[0], "--help")) {
		char help_word[] = "help";
		char *words[3];

		words[0] = argv[0];
		words[1] = help_word;
		words[2] = NULL;

		return cmd_select(cmds, 2, words, do_help);
	}
	if (json_output) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "usage",
				       json_object_new_string("vmview [OPTIONS] COMMAND [ARGS]"));
		vmv_json_print(o);
		return VMV_EXIT_OK;
	}
	print_usage(stdout);
	return VMV_EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "help",	do_help },
	{ "ps",		do_ps },
	{ "show",	do_show },
	{ "maps",	do_maps },
	{ "pt",		do_pt },
	{ "translate",	do_translate },
	{ "snapshot",	do_snapshot },
	{ "diff",	do_diff },
	{ "html",	do_html },
	{ "top",	do_top },
	{ "probe",	do_probe },
	{ "export",	do_export },
	{ "serve",	do_serve },
	{ NULL,		NULL },
};

static int do_version(void)
{
	if (json_output) {
		struct json_object *o = json_object_new_object();
		char fmt[16];

		snprintf(fmt, sizeof(fmt), "%d.%d", VMI_FORMAT_MAJOR,
			 VMI_FORMAT_MINOR);
		json_object_object_add(o, "version",
				       json_object_new_string(VMVIEW_VERSION));
		json_object_object_add(o, "format", json_object_new_string(fmt));
		vmv_json_print(o);
		return VMV_EXIT_OK;
	}
	printf("%s %s (reads /proc/vminspect format %d.x, written for %d.%d)\n",
	       bin_name, VMVIEW_VERSION, VMI_FORMAT_MAJOR, VMI_FORMAT_MAJOR,
	       VMI_FORMAT_MINOR);
	return VMV_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help",	no_argument,	NULL,	'h' },
		{ "json",	no_argument,	NULL,	'j' },
		{ "pretty",	no_argument,	NULL,	'p' },
		{ "verbose",	no_argument,	NULL,	'v' },
		{ "version",	no_argument,	NULL,	'V' },
		{ NULL,		0,		NULL,	0 },
	};
	bool version = false, help = false;
	const char *nc = getenv("NO_COLOR");
	int opt;

	setvbuf(stdout, NULL, _IOFBF, 0);
	opterr = 0;
	/* '+': stop at the command; what follows is the command's */
	while ((opt = getopt_long(argc, argv, "+hjpvV", opts, NULL)) >= 0) {
		switch (opt) {
		case 'V':
			version = true;
			break;
		case 'h':
			help = true;
			break;
		default:
			if (!vmv_common_opt(opt)) {
				if (optopt)
					return p_usage("unknown option '-%c'", optopt);
				return p_usage("unknown option '%s'",
					       argv[optind - 1]);
			}
		}
	}
	use_color = isatty(STDOUT_FILENO) && !(nc && *nc) && !json_output;
	if (version)
		return do_version();
	if (help) {
		print_usage(stdout);
		return VMV_EXIT_OK;
	}
	if (optind >= argc) {
		print_usage(stderr);
		return VMV_EXIT_USAGE;
	}
	return cmd_select(cmds, argc - optind, argv + optind, do_help);
}
