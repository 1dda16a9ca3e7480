// SPDX-License-Identifier: GPL-2.0
/*
 * vmview - the vminspect viewer.
 *
 * Minimal driver for the probes branch: global options, p_err/p_usage,
 * cmd_select and the "probe" command.  The full main.c (all commands) comes
 * from the vmview branch and replaces this file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vmview.h"

bool json_output;
bool pretty_output;
int verbose;
const char *bin_name = "vmview";

void p_err(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_output) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(msg));
		puts(json_object_to_json_string(o));
		json_object_put(o);
	} else {
		fprintf(stderr, "%s: %s\n", bin_name, msg);
	}
}

int p_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p_err("%s; see '%s help'", msg, bin_name);
	return VMV_EXIT_USAGE;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	const struct cmd *match = NULL;
	size_t len;
	int i;

	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "-h") ||
	    !strcmp(argv[0], "--help"))
		return help(argc, argv);
	len = strlen(argv[0]);
	for (i = 0; cmds[i].name; i++) {
		if (strncmp(cmds[i].name, argv[0], len))
			continue;
		if (strlen(cmds[i].name) == len) {
			match = &cmds[i];
			break;
		}
		if (match)
			return p_usage("ambiguous command '%s'", argv[0]);
		match = &cmds[i];
	}
	if (!match)
		return p_usage("unknown command '%s'", argv[0]);
	return match->func(argc - 1, argv + 1);
}

static int do_help(int argc, char **argv)
{
	fprintf(stderr,
		"Usage: %s [-j|--json] [-p|--pretty] [-v] COMMAND\n"
		"  probe start|stop|status   eBPF fault and TLB counters\n",
		bin_name);
	return VMV_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "probe", do_probe },
		{ "help", do_help },
		{ NULL, NULL },
	};

	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		if (!strcmp(argv[0], "-j") || !strcmp(argv[0], "--json")) {
			json_output = true;
		} else if (!strcmp(argv[0], "-p") ||
			   !strcmp(argv[0], "--pretty")) {
			json_output = true;
			pretty_output = true;
		} else if (!strcmp(argv[0], "-v") ||
			   !strcmp(argv[0], "--verbose")) {
			verbose++;
		} else if (!strcmp(argv[0], "-h") ||
			   !strcmp(argv[0], "--help")) {
			return do_help(0, NULL);
		} else {
			return p_usage("unknown option '%s'", argv[0]);
		}
	}
	return cmd_select(cmds, argc, argv, do_help);
}
