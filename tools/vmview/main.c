// SPDX-License-Identifier: GPL-2.0
/*
 * vmview - the vminspect viewer.
 */
#include <stdio.h>

#include <vminspect_abi.h>

int main(int argc, char **argv)
{
	printf("vmview %d.%d\n", VMI_FORMAT_MAJOR, VMI_FORMAT_MINOR);
	return 0;
}
