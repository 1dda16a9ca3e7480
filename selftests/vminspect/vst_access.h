/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access tests against the kernel's own answer: whether the same reader
 * can open the target's /proc/<pid>/pagemap (through the same /proc).
 */
#ifndef _VST_ACCESS_H
#define _VST_ACCESS_H

#include <stdbool.h>
#include <sys/types.h>

#define VST_USER1	1000
#define VST_USER2	1001

/* Drop to @uid (all ids, no groups); stays dumpable.  0 or -1. */
int vst_become(uid_t uid);
/* Fork, run fn(arg) in the child, return its exit status (0 = pass). */
int vst_run_child(int (*fn)(void *), void *arg);

/* errno of open() (0: it opened), for the kernel and for us */
int vst_open_errno(const char *path, int flags);
int vst_pagemap_errno(pid_t pid);
int vst_ours_errno(pid_t pid, const char *file);

/* Every live user process (those with a /proc/vminspect/<pid>), as root. */
int vst_user_pids(pid_t **pids);
/* The numeric names in @dir, ascending, in a malloc'd array; -1 on error. */
int vst_dir_pids(const char *dir, pid_t **pids);
/* The pids /proc/vminspect/processes lists, in its order; -1 on error. */
int vst_listed_pids(pid_t **pids);

/* Is @pid listed in /proc/vminspect/processes? -1 if it cannot be read. */
int vst_listed(pid_t pid);
/* Lines of /proc/vminspect/processes other than comments; -1 on error. */
int vst_listed_count(void);

/*
 * For each of @pids: our open of mm and vmas must fail or succeed exactly
 * as the kernel's open of pagemap does (same errno), and processes must
 * list it exactly when pagemap opens.  Prints each mismatch; returns the
 * number of mismatches, and in @allowed / @denied the counts of each answer.
 */
int vst_match_pagemap(const pid_t *pids, int n, int *allowed, int *denied);

#endif /* _VST_ACCESS_H */
