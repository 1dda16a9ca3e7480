// SPDX-License-Identifier: GPL-2.0
/*
 * yama_test: Yama's ptrace_scope restricts ptrace *attach* only.  Under
 * every scope, 0 to 3, a reader may open the files of a same-uid process
 * it is no ancestor of exactly when the kernel lets it open that process's
 * /proc/<pid>/pagemap (it does), and never another user's.
 *
 * Scope 3 cannot be lowered again until reboot: this test sets it last,
 * and is named to run after every other test of run.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_access.h"
#include "vst_util.h"

#define SCOPE	"/proc/sys/kernel/yama/ptrace_scope"

static int scope_set(int v)
{
	char buf[4];
	int fd = open(SCOPE, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", v);
	ret = write(fd, buf, strlen(buf)) == (ssize_t)strlen(buf) ? 0 : -1;
	close(fd);
	return ret;
}

static void target_as(void *arg)
{
	if (vst_become(*(uid_t *)arg))
		_exit(1);
}

struct yama_arg {
	pid_t pids[2];	/* same uid, another uid: siblings, not descendants */
};

static int read_as_user1(void *arg)
{
	struct yama_arg *a = arg;
	int allowed, denied;

	if (vst_become(VST_USER1))
		return 100;
	if (vst_match_pagemap(a->pids, 2, &allowed, &denied))
		return 1;
	/* pagemap allowed the same uid, refused the other */
	if (vst_pagemap_errno(a->pids[0]) || allowed != 1 ||
	    vst_pagemap_errno(a->pids[1]) != EACCES || denied != 1)
		return 2;
	return 0;
}

TEST(ptrace_scopes_0_to_3_restrict_attach_not_read)
{
	uid_t u1 = VST_USER1, u2 = VST_USER2;
	struct yama_arg a;
	int scope;

	if (access(SCOPE, W_OK))
		SKIP(return, "no Yama");
	a.pids[0] = vst_spawn_stopped(target_as, &u1);
	a.pids[1] = vst_spawn_stopped(target_as, &u2);
	ASSERT_LT(0, a.pids[0]);
	ASSERT_LT(0, a.pids[1]);
	ASSERT_EQ(0, vst_wait_pid_dir(a.pids[0], true));
	ASSERT_EQ(0, vst_wait_pid_dir(a.pids[1], true));
	for (scope = 0; scope <= 3; scope++) {
		ASSERT_EQ(0, scope_set(scope));
		TH_LOG("ptrace_scope %d", scope);
		EXPECT_EQ(0, vst_run_child(read_as_user1, &a));
	}
	vst_kill(a.pids[0]);
	vst_kill(a.pids[1]);
}

TEST_HARNESS_MAIN
