/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "timed" fixture, empty, for tests that need more than the harness's
 * 30 s on a slow host: the 6.1 harness has a timeout for TEST_F() only.
 * TEST_F_TIMEOUT(timed, name, seconds).  Included once per test program,
 * after kselftest_harness.h.
 */
#ifndef _VST_TIMED_H
#define _VST_TIMED_H

FIXTURE(timed) {
};

FIXTURE_SETUP(timed)
{
}

FIXTURE_TEARDOWN(timed)
{
}

#endif
