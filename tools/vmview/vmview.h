/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmview internals shared by its commands.
 */
#ifndef _VMVIEW_H
#define _VMVIEW_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include <vminspect_abi.h>

/* exit codes */
#define VMV_EXIT_OK	0
#define VMV_EXIT_ERR	1
#define VMV_EXIT_USAGE	2

/*
 * A table of commands (or of a command's subcommands), NULL-terminated:
 * help lists the entries that have a summary, -j help names them all.
 */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *args;	/* "PID [--map]" for the usage list, or NULL */
	const char *summary;	/* one line, or NULL: not listed */
};

extern bool vmv_json_output;	/* -j / --json */
extern bool vmv_pretty_output;	/* -p / --pretty */
extern int vmv_verbose;		/* -v */
extern const char *vmv_bin_name;

/* util.c: a small file (sysfs, status) into buf: its length or -1 */
ssize_t vmv_read_small(const char *path, char *buf, size_t cap);

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * cli.c: what every command shares.  The one error printer: "vmview: ..."
 * on stderr, or {"error": ...} on stdout with -j.
 */
void vmv_err(const char *fmt, ...) __printf(1, 2);
/* Usage error: message plus "see 'vmview CMD help'", returns VMV_EXIT_USAGE. */
int vmv_usage(const char *fmt, ...) __printf(1, 2);

/* Dispatch argv[0] against cmds by unique prefix; help() for "help"/none. */
int vmv_cmd_select(const struct cmd *cmds, int argc, char **argv,
		   int (*help)(int argc, char **argv));
/*
 * Every help: help(stdout), or with -j {"help": TEXT} and, given cmds,
 * "commands": every name of the table.  Returns VMV_EXIT_OK.
 */
int vmv_help(void (*help)(FILE *f), const struct cmd *cmds);
/* The usage list of a table: PREFIX, name and args, summary; a line each. */
void vmv_cmds_help(FILE *f, const char *prefix, const struct cmd *cmds);

/* Commands, one file each. */
int vmv_do_probe(int argc, char **argv);	/* probe.c: probe start|stop|status */
int vmv_do_snapshot(int argc, char **argv);	/* snapshot.c */
int vmv_do_diff(int argc, char **argv);	/* diff.c */
int vmv_do_html(int argc, char **argv);	/* html.c */
int vmv_do_ps(int argc, char **argv);	/* ps.c */
int vmv_do_show(int argc, char **argv);	/* show.c */
int vmv_do_maps(int argc, char **argv);	/* maps.c */
int vmv_do_pt(int argc, char **argv);	/* pt.c */
int vmv_do_translate(int argc, char **argv);	/* translate.c */
int vmv_do_top(int argc, char **argv);	/* top.c */
int vmv_do_export(int argc, char **argv);	/* export.c */
int vmv_do_serve(int argc, char **argv);	/* serve.c */

/*
 * The Prometheus exporter (export.c), shared by export and serve: options,
 * one collection (a "scrape") rendered into a malloc'd buffer.
 */
struct vmv_exporter;
enum vmv_xfmt { VMV_XFMT_TEXT, VMV_XFMT_OPENMETRICS };
/* Parse one exporter option (export.c's table, XOPT_LONGOPTS), 0 or exit. */
int vmv_exporter_opt(int opt, const char *arg);
#define VMV_XOPTS	13	/* exporter options, NULL entry included */
extern const struct option vmv_exporter_longopts[VMV_XOPTS];
extern const char * const vmv_exporter_shortopts;
extern const char * const vmv_exporter_opts_help;
struct vmv_exporter *vmv_exporter_new(void);
void vmv_exporter_free(struct vmv_exporter *x);
/* Collect and render; *out malloc'd (NUL-terminated), *len its length. */
int vmv_exporter_scrape(struct vmv_exporter *x, enum vmv_xfmt fmt,
			char **out, size_t *len);
extern const char * const vmv_xfmt_content_type[];
/* SIGINT/SIGTERM end a long-running export or serve cleanly. */
void vmv_exporter_signals(void);
bool vmv_exporter_stopped(void);

/* -j, -p or -v (cli.c), before or after the command's name. */
bool vmv_common_opt(int opt);
/* The usage error for an option getopt_long() refused; VMV_EXIT_USAGE. */
int vmv_opt_error(int opt, char **argv);
/*
 * Parse a command's arguments as vmv_cmd_select() passes them (the words after
 * the command's name, which must precede argv[0]): "help" as first word and
 * -h print help (vmv_help(), once every option is read); -j/-p/-v are
 * handled; the command's own options (shortopts/longopts, NULL if none) go
 * to own(opt, optarg), which returns 0 or an exit status.  Returns -1 to
 * go on, with optind at the first operand, or the status to exit with.
 */
int vmv_parse_opts(int argc, char **argv, const char *shortopts,
		   const struct option *longopts, void (*help)(FILE *f),
		   int (*own)(int opt, const char *arg));
/* Operands after the options, in order: the next one, or NULL and a usage
 * error.
 */
const char *vmv_operand(int argc, char **argv, const char *what);
/* Are operands left? */
bool vmv_more_operands(int argc);
/* No operands left, else a usage error (VMV_EXIT_USAGE); -1 if none. */
int vmv_no_more(int argc, char **argv);
/*
 * "CMD [OPTIONS] PID": vmv_parse_opts(), then exactly one PID operand.
 * Returns -1 with *pid set to go on, or the status to exit with.
 */
int vmv_parse_pid_cmd(int argc, char **argv, const char *shortopts,
		      const struct option *longopts, void (*help)(FILE *f),
		      int (*own)(int opt, const char *arg), pid_t *pid);

extern bool vmv_use_color;		/* stdout is a terminal and NO_COLOR unset */
/* ANSI colours, "" when vmv_use_color is false. */
const char *vmv_col(const char *code);
#define C_RESET		"0"
#define C_BOLD		"1"
#define C_DIM		"2"
#define C_RED		"31"
#define C_GREEN		"32"
#define C_YELLOW	"33"
#define C_BLUE		"34"
#define C_MAGENTA	"35"
#define C_CYAN		"36"

/* Human sizes as ls -h prints them: "4.0K", "12M", "0". */
const char *vmv_size(uint64_t bytes, char *buf, size_t len);
/* Base page size (4 KiB on x86-64). */
uint64_t vmv_page_size(void);

/* A pid argument: prints a usage error and returns false if not one. */
bool vmv_parse_pid(const char *s, pid_t *pid);

/*
 * Report a failed read of a /proc/vminspect file (err: negative errno from
 * procfmt) in words a person understands; returns VMV_EXIT_ERR.  pid 0 for
 * files that are not per-process.
 */
int vmv_proc_error(int err, pid_t pid, const char *file);

/* The census as JSON (pt.c), shared by show and pt. */
struct vmv_mm;
struct json_object *vmv_census_json(const struct vmv_mm *mm);

/* json-c (cli.c): print an object (pretty with -p) on stdout and drop it. */
struct json_object;
void vmv_json_print(struct json_object *obj);
struct json_object *vmv_json_u64(uint64_t v);
struct json_object *vmv_json_str(const char *s);	/* NULL -> null */
/* A comma-separated list ("rd,mr", "present,user"; "-" none) as an array (json.c). */
struct json_object *vmv_json_list(const char *s);

/*
 * Probe counters as vmview shows them (stats.c is the one place that talks
 * to the probes' API).  vmv_probes_check() prints why counters are
 * unavailable (kernel without BTF, probes not running) and returns
 * VMV_EXIT_ERR, or 0 when they run.
 */
struct vmv_counters {
	pid_t pid;
	char comm[16];
	uint64_t faults, min_flt, maj_flt;
	uint64_t tlb;		/* flushes run while it was current, all reasons */
	uint64_t flushes;	/* flushes of its own address space, all causes */
	/* the probes' own: by reason, and by cause where flushes start */
	struct vmi_tlb_counts t;
};

bool vmv_probes_running(void);
bool vmv_kernel_has_btf(void);
int vmv_probes_check(void);
int vmv_counters_pid(pid_t pid, struct vmv_counters *c);
int vmv_counters_all(struct vmv_counters **c, size_t *nr);
/*
 * Every thread group's raw counters (all fault counters, TLB flushes by
 * reason) and the system-wide ones (g may be NULL), for export: no comm
 * look-ups.  The array is malloc'd.
 */
struct vmv_probe_raw {
	pid_t pid;
	struct vmi_fault_counts f;
	struct vmi_tlb_counts t;
};

int vmv_counters_raw(struct vmv_probe_raw **c, size_t *nr,
		     struct vmi_global *g);
/*
 * The counters as JSON (faults, min_flt, maj_flt, tlb_flushes, flushes,
 * tlb_causes), for show and snapshot (which reads them back).
 */
struct json_object *vmv_counters_json(const struct vmv_counters *c);
/* Flushes by cause: { "zap": { "events": N, "full": ..., ... }, ... }. */
struct json_object *vmv_tlb_causes_json(const struct vmi_tlb_counts *t);
/* The causes with flushes, one line each: "    madvise  50 full 0 ...". */
void vmv_print_causes(const struct vmi_tlb_counts *t);
/*
 * The cause (enum vmi_tlb_cause) of most flushes in @t less @base (NULL:
 * none) and its share of them (0..1), -1 when there were none;
 * vmv_cause_share_str() writes it as "madvise 62%" ("-" for none) into
 * buf and returns it.
 */
int vmv_lead_cause(const struct vmi_tlb_counts *t,
		   const struct vmi_tlb_counts *base, double *share);
const char *vmv_cause_share_str(int cause, double share, char *buf,
				size_t len);
/* The kernel's name of TLB flush reason slot r (BTF), or NULL. */
const char *vmv_tlb_reason_name(int reason);
/* Faults per address range [start[i], end[i]); -ENOTSUP if not counted. */
int vmv_counters_ranges(pid_t pid, const uint64_t *start,
			const uint64_t *end, size_t nr, uint64_t *faults);

/*
 * Where the counters come from when not from the running probes: the
 * active snapshot sets its own (snapshot.c), so that the house reads top
 * down (stats.c never calls the snapshot code).
 */
struct vmv_counter_source {
	bool (*has_counters)(void);
	int (*counters)(pid_t pid, struct vmv_counters *c);
	int (*ranges)(pid_t pid, const uint64_t *start, const uint64_t *end,
		      size_t nr, uint64_t *faults);
};

void vmv_set_counter_source(const struct vmv_counter_source *src);

#endif /* _VMVIEW_H */
