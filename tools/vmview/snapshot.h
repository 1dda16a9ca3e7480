/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots (snapshot.c): one versioned JSON document holding the
 * /proc/vminspect files of one process as the module printed them, read
 * back through procfmt's parsers (a struct vmv_source), and the "view" of
 * a process that diff and html work on, taken live or from a snapshot.
 */
#ifndef _VMVIEW_SNAPSHOT_H
#define _VMVIEW_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "procfmt.h"
#include "vmview.h"

#define VMV_SNAP_FORMAT		"vminspect-snapshot"
#define VMV_SNAP_MAJOR		1
#define VMV_SNAP_MINOR		1

/* Everything diff and html need of a process at one moment. */
struct vmv_view {
	char label[128];	/* "pid 123" or the snapshot's file name */
	bool snapshot;		/* read from a snapshot file */
	pid_t pid;
	struct vmv_mm mm;
	struct vmv_vma *vmas;
	size_t nr_vmas;
	struct vmv_pagetable pt;
	bool have_counters;	/* the probes ran */
	struct vmv_counters counters;
	uint64_t *vma_faults;	/* per VMA, when have_counters; else NULL */
	bool have_stat;		/* /proc/PID/stat minflt, majflt */
	uint64_t min_flt, maj_flt;
	uint64_t realtime_ns, boottime_ns;
	char time[32];		/* ISO 8601 UTC */
	char boot_id[40];
	char kernel[128];	/* uname -r */
};

/*
 * arg: a pid (digits) or a snapshot file ("-" for stdin).  Prints the
 * error and returns the exit status, or -1 with *v filled.
 */
int vmv_view_load(const char *arg, struct vmv_view *v);
void vmv_view_free(struct vmv_view *v);

/*
 * The target operand of a view (show, maps, pt, translate): a pid, or a
 * snapshot file, which then answers every read of /proc/vminspect for the
 * rest of the run.  Returns -1 with *pid set, or the exit status.
 */
int vmv_parse_target(const char *arg, pid_t *pid);
/* A snapshot answers the reads (vmv_parse_target took one). */
bool vmv_snap_active(void);
/* The error for a failed read from the active snapshot. */
int vmv_snap_error(int err, const char *file);

/* The THP policy kept in the active snapshot (unknown if none). */
struct vmv_thp_policy;
void vmv_snap_thp_policy(struct vmv_thp_policy *p);

/* The probes' counters kept in the active snapshot (stats.c asks). */
bool vmv_snap_has_counters(void);
int vmv_snap_counters(pid_t pid, struct vmv_counters *c);
int vmv_snap_ranges(pid_t pid, const uint64_t *start, const uint64_t *end,
		    size_t nr, uint64_t *faults);

/* Does the string look like a pid (digits only)? */
bool vmv_is_pid_arg(const char *arg);

#endif /* _VMVIEW_SNAPSHOT_H */
