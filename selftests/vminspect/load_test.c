// SPDX-License-Identifier: GPL-2.0
/*
 * load_test: vminspect.ko is loaded and makes /proc/vminspect a mount point
 * where the vminspect file system is mounted (by the guest's init, or by
 * vst_module_load()); unloading needs it unmounted first and removes the
 * directory; a second load brings both back.  Mounting needs CAP_SYS_ADMIN
 * and takes no options.  Truth: /proc/modules, delete_module(), mount(),
 * statfs() and the /proc file system itself.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vst_access.h"
#include "vst_util.h"

#define VMI_DIR		"/proc/" VMI_PROC_DIR

TEST(module_listed_in_proc_modules)
{
	ASSERT_TRUE(vst_module_loaded());
}

TEST(proc_dir_exists_and_is_mounted)
{
	struct stat st;

	ASSERT_EQ(0, stat(VMI_DIR, &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_TRUE(vst_fs_mounted(VMI_DIR));
}

/* the root lists processes, then our own pid and init's, as directories */
TEST(mounted_root_lists_processes_and_pids)
{
	DIR *d = opendir(VMI_DIR);
	struct dirent *e;
	bool procs = false, self = false, init = false;
	char me[16];

	ASSERT_NE(NULL, d);
	snprintf(me, sizeof(me), "%d", getpid());
	while ((e = readdir(d))) {
		procs |= !strcmp(e->d_name, VMI_PROC_PROCESSES) &&
			 e->d_type == DT_REG;
		self |= !strcmp(e->d_name, me) && e->d_type == DT_DIR;
		init |= !strcmp(e->d_name, "1") && e->d_type == DT_DIR;
	}
	closedir(d);
	EXPECT_TRUE(procs);
	EXPECT_TRUE(self);
	EXPECT_TRUE(init);
}

TEST(unload_refused_while_mounted)
{
	ASSERT_TRUE(vst_fs_mounted(VMI_DIR));
	EXPECT_EQ(-1, syscall(SYS_delete_module, "vminspect", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(vst_module_loaded());
	EXPECT_TRUE(vst_fs_mounted(VMI_DIR));
}

TEST(unmounted_dir_is_empty)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	ASSERT_EQ(0, umount(VMI_DIR));
	d = opendir(VMI_DIR);
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	EXPECT_EQ(0, n);
	EXPECT_EQ(-1, access(VMI_DIR "/processes", F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access(VMI_DIR "/1", F_OK));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vst_fs_mount(VMI_DIR));
	EXPECT_EQ(0, access(VMI_DIR "/processes", R_OK));
}

static int mount_as_user(void *arg)
{
	if (vst_become(VST_USER1))
		return 100;
	if (!mount(VMI_FS_TYPE, "/tmp", VMI_FS_TYPE, 0, NULL))
		return 1;
	return errno == EPERM ? 0 : 2;
}

TEST(mount_needs_cap_sys_admin_and_takes_no_options)
{
	EXPECT_EQ(0, vst_run_child(mount_as_user, NULL));
	EXPECT_EQ(-1, mount(VMI_FS_TYPE, "/tmp", VMI_FS_TYPE, 0, "hidepid=2"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_FALSE(vst_fs_mounted("/tmp"));
}

/* a second mount is a superblock of its own, listing the same processes */
TEST(second_mount_lists_the_same)
{
	char path[64];

	if (mkdir("/tmp/vmi-mnt2", 0755))
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, vst_fs_mount("/tmp/vmi-mnt2"));
	snprintf(path, sizeof(path), "/tmp/vmi-mnt2/%d/mm", getpid());
	EXPECT_EQ(0, access(path, R_OK));
	EXPECT_EQ(0, access("/tmp/vmi-mnt2/1/vmas", R_OK));
	EXPECT_EQ(0, umount("/tmp/vmi-mnt2"));
	rmdir("/tmp/vmi-mnt2");
}

TEST(unload_removes_dir_and_reload_restores_it)
{
	struct stat st;

	if (access(VST_MODULE_PATH, R_OK))
		SKIP(return, "%s not present", VST_MODULE_PATH);
	ASSERT_EQ(0, vst_module_unload());
	EXPECT_FALSE(vst_module_loaded());
	EXPECT_EQ(-1, stat(VMI_DIR, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vst_module_load());
	EXPECT_TRUE(vst_module_loaded());
	ASSERT_EQ(0, stat(VMI_DIR, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_TRUE(vst_fs_mounted(VMI_DIR));
	EXPECT_EQ(0, access(VMI_DIR "/processes", R_OK));
}

TEST(double_load_is_refused_cleanly)
{
	if (access(VST_MODULE_PATH, R_OK))
		SKIP(return, "%s not present", VST_MODULE_PATH);
	ASSERT_EQ(-1, vst_module_load());
	EXPECT_EQ(EEXIST, errno);
	EXPECT_TRUE(vst_module_loaded());
	EXPECT_TRUE(vst_fs_mounted(VMI_DIR));
}

TEST_HARNESS_MAIN
