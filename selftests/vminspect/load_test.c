// SPDX-License-Identifier: GPL-2.0
/*
 * load_test: vminspect.ko is loaded, creates /proc/vminspect, removes it on
 * unload and comes back on a second load.  Truth: /proc/modules and the
 * /proc file system itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_util.h"

TEST(module_listed_in_proc_modules)
{
	ASSERT_TRUE(vst_module_loaded());
}

TEST(proc_dir_exists)
{
	struct stat st;

	ASSERT_EQ(0, stat("/proc/" VMI_PROC_DIR, &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
}

TEST(unload_removes_dir_and_reload_restores_it)
{
	struct stat st;

	if (access(VST_MODULE_PATH, R_OK))
		SKIP(return, "%s not present", VST_MODULE_PATH);
	ASSERT_EQ(0, vst_module_unload());
	EXPECT_FALSE(vst_module_loaded());
	EXPECT_EQ(-1, stat("/proc/" VMI_PROC_DIR, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vst_module_load());
	EXPECT_TRUE(vst_module_loaded());
	ASSERT_EQ(0, stat("/proc/" VMI_PROC_DIR, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST(double_load_is_refused_cleanly)
{
	if (access(VST_MODULE_PATH, R_OK))
		SKIP(return, "%s not present", VST_MODULE_PATH);
	ASSERT_EQ(-1, vst_module_load());
	EXPECT_EQ(EEXIST, errno);
	EXPECT_TRUE(vst_module_loaded());
}

TEST_HARNESS_MAIN
