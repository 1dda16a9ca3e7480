/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview internals shared by its commands.
 */
#ifndef _VMVIEW_H
#define _VMVIEW_H

#include <stdbool.h>
#include <sys/types.h>

#include <vminspect_abi.h>

/* exit codes */
#define VMV_EXIT_OK	0
#define VMV_EXIT_ERR	1
#define VMV_EXIT_USAGE	2

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

extern bool json_output;	/* -j / --json */
extern bool pretty_output;	/* -p / --pretty */
extern int verbose;		/* -v */
extern const char *bin_name;

/* The one error printer: "vmview: ..." on stderr, or {"error": ...} with -j. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message plus "see 'vmview CMD help'", returns VMV_EXIT_USAGE. */
int p_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Dispatch argv[0] against cmds by unique prefix; help() for "help"/none. */
int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv));

/* Commands, one file each. */
int do_probe(int argc, char **argv);	/* probe.c: probe start|stop|status */

#endif /* _VMVIEW_H */
