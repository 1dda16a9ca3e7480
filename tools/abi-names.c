// SPDX-License-Identifier: GPL-2.0
/*
 * abi-names: print every key and column of the ABI tables
 * (include/vminspect_abi.h), one "TABLE NAME SINCE" line each, for
 * tools/test-abi-doc.sh.
 */
#include <stdio.h>

#include <vminspect_abi.h>

static const char *table;

#define PRINT(P, ID, name, t, u, p, s)	printf("%s %s %d\n", table, name, s);

int main(void)
{
	table = "VMI_PS_COLS";
	VMI_PS_COLS(PRINT)
	table = "VMI_MM_KEYS";
	VMI_MM_KEYS(PRINT)
	table = "VMI_STATE_NAMES";
	VMI_STATE_TABLE(PRINT, STATE)
	table = "VMI_ATTR_NAMES";
	VMI_ATTR_TABLE(PRINT, ATTR)
	table = "VMI_CENSUS_COLS";
	VMI_CENSUS_COLS(PRINT)
	table = "VMI_VMAS_COLS";
	VMI_VMAS_COLS(PRINT)
	table = "VMI_VMAROW_COLS";
	VMI_VMAROW_COLS(PRINT)
	table = "VMI_PT_COLS";
	VMI_PT_COLS(PRINT)
	table = "VMI_TR_KEYS";
	VMI_TR_KEYS(PRINT)
	table = "VMI_TRLEVEL_COLS";
	VMI_TRLEVEL_COLS(PRINT)
	table = "VMI_TRSWAP_COLS";
	VMI_TRSWAP_COLS(PRINT)
	return 0;
}
