// SPDX-License-Identifier: GPL-2.0
/*
 * vmview - the vminspect viewer: a table of commands in the style of
 * bpftool, unique prefixes accepted, global options before the command
 * (and the common ones after it too).  The conventions the commands share
 * (options, errors, JSON, help, dispatch) are cli.c's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vmview.h"

#define VMVIEW_VERSION	"1.0"

static const struct cmd cmds[];

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Look inside a live process's virtual memory (the vminspect module).\n"
		"\n"
		"Commands (any unique prefix will do):\n", vmv_bin_name);
	vmv_cmds_help(f, "  ", cmds);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json      JSON output (errors too: {\"error\": ...})\n"
		"  -p, --pretty    indented JSON (implies -j)\n"
		"  -v, --vmv_verbose   more detail (library messages too)\n"
		"  -V, --version   print the version\n"
		"  -h, --help      this text\n"
		"\n"
		"show, maps, pt and translate take a snapshot file in place of a PID.\n"
		"\n"
		"Exit status: 0 ok, 1 error, 2 bad arguments.  See vmview(8).\n");
}

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

		return vmv_cmd_select(cmds, 2, words, do_help);
	}
	return vmv_help(print_usage, cmds);
}

/* The commands, in the order 'vmview help' lists them. */
static const struct cmd cmds[] = {
	{ "ps",		vmv_do_ps,		"[--sort pt|rss|vmas|faults|tlb]",
	  "every process: VMAs, RSS, page tables" },
	{ "show",	vmv_do_show,	"PID",
	  "mm summary, page-table census, counters" },
	{ "maps",	vmv_do_maps,	"PID",
	  "VMA map with residency per VMA" },
	{ "pt",		vmv_do_pt,		"PID [--map]",
	  "page-table census tree, or the map" },
	{ "translate",	vmv_do_translate,	"PID ADDR",
	  "walk ADDR level by level, ELF symbol" },
	{ "snapshot",	vmv_do_snapshot,	"PID [-o FILE]",
	  "all of the above in one JSON file" },
	{ "diff",	vmv_do_diff,	"A B | diff --fork PARENT CHILD",
	  "what changed (A, B: pid or snapshot)" },
	{ "html",	vmv_do_html,	"PID|SNAPSHOT [-o FILE]",
	  "the address space as one HTML page" },
	{ "top",	vmv_do_top,		"[-n N] [-d SECS]",
	  "live faults and TLB flushes per second" },
	{ "probe",	vmv_do_probe,	"start|stop|status|check",
	  "the eBPF fault and TLB probes" },
	{ "export",	vmv_do_export,	"[-o FILE] [--interval SECS]",
	  "Prometheus metrics (textfile collector)" },
	{ "serve",	vmv_do_serve,	"[--listen ADDR]",
	  "Prometheus metrics on HTTP, /metrics" },
	{ "help",	do_help,	NULL,
	  "this text; 'vmview COMMAND help'" },
	{ NULL, NULL, NULL, NULL },
};

static int do_version(void)
{
	if (vmv_json_output) {
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
	       vmv_bin_name, VMVIEW_VERSION, VMI_FORMAT_MAJOR, VMI_FORMAT_MAJOR,
	       VMI_FORMAT_MINOR);
	return VMV_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help",	no_argument,	NULL,	'h' },
		{ "json",	no_argument,	NULL,	'j' },
		{ "pretty",	no_argument,	NULL,	'p' },
		{ "vmv_verbose",	no_argument,	NULL,	'v' },
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
					return vmv_usage("unknown option '-%c'", optopt);
				return vmv_usage("unknown option '%s'",
					       argv[optind - 1]);
			}
		}
	}
	vmv_use_color = isatty(STDOUT_FILENO) && !(nc && *nc) && !vmv_json_output;
	if (version)
		return do_version();
	if (help)
		return vmv_help(print_usage, cmds);
	if (optind >= argc) {
		print_usage(stderr);
		return VMV_EXIT_USAGE;
	}
	return vmv_cmd_select(cmds, argc - optind, argv + optind, do_help);
}
