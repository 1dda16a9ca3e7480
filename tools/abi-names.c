// SPDX-License-Identifier: GPL-2.0
/*
 * abi-names: print every key and column of the ABI tables
 * (include/vminspect_abi.h), one "TABLE NAME SINCE" line each, for
 * tools/test-abi-doc.sh.
 */
#include <stdio.h>

#include <vminspect_abi.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const struct vmi_field ps[] = { VMI_PS_COLS(VMI_X_FIELD) };
static const struct vmi_field mm[] = { VMI_MM_KEYS(VMI_X_FIELD) };
static const struct vmi_field states[] = { VMI_STATE_TABLE(VMI_X_FIELD, STATE) };
static const struct vmi_field attrs[] = { VMI_ATTR_TABLE(VMI_X_FIELD, ATTR) };
static const struct vmi_field census[] = { VMI_CENSUS_COLS(VMI_X_FIELD) };
static const struct vmi_field folios[] = { VMI_FOLIO_TABLE(VMI_X_FIELD, FOLIO) };
static const struct vmi_field occrow[] = { VMI_OCCROW_COLS(VMI_X_FIELD) };
static const struct vmi_field ptnode[] = { VMI_PTNODE_COLS(VMI_X_FIELD) };
static const struct vmi_field kinds[] = { VMI_KIND_TABLE(VMI_X_FIELD, KIND) };
static const struct vmi_field thpoff[] = { VMI_THPOFF_TABLE(VMI_X_FIELD, THPOFF) };
static const struct vmi_field vmas[] = { VMI_VMAS_COLS(VMI_X_FIELD) };
static const struct vmi_field vmarow[] = { VMI_VMAROW_COLS(VMI_X_FIELD) };
static const struct vmi_field pt[] = { VMI_PT_COLS(VMI_X_FIELD) };
static const struct vmi_field tr[] = { VMI_TR_KEYS(VMI_X_FIELD) };
static const struct vmi_field trlevel[] = { VMI_TRLEVEL_COLS(VMI_X_FIELD) };
static const struct vmi_field trswap[] = { VMI_TRSWAP_COLS(VMI_X_FIELD) };

static const struct {
	const char *name;
	const struct vmi_field *f;
	size_t nr;
} tables[] = {
	{ "VMI_PS_COLS", ps, ARRAY_SIZE(ps) },
	{ "VMI_MM_KEYS", mm, ARRAY_SIZE(mm) },
	{ "VMI_STATE_NAMES", states, ARRAY_SIZE(states) },
	{ "VMI_ATTR_NAMES", attrs, ARRAY_SIZE(attrs) },
	{ "VMI_CENSUS_COLS", census, ARRAY_SIZE(census) },
	{ "VMI_FOLIO_NAMES", folios, ARRAY_SIZE(folios) },
	{ "VMI_OCCROW_COLS", occrow, ARRAY_SIZE(occrow) },
	{ "VMI_PTNODE_COLS", ptnode, ARRAY_SIZE(ptnode) },
	{ "VMI_KIND_NAMES", kinds, ARRAY_SIZE(kinds) },
	{ "VMI_THPOFF_NAMES", thpoff, ARRAY_SIZE(thpoff) },
	{ "VMI_VMAS_COLS", vmas, ARRAY_SIZE(vmas) },
	{ "VMI_VMAROW_COLS", vmarow, ARRAY_SIZE(vmarow) },
	{ "VMI_PT_COLS", pt, ARRAY_SIZE(pt) },
	{ "VMI_TR_KEYS", tr, ARRAY_SIZE(tr) },
	{ "VMI_TRLEVEL_COLS", trlevel, ARRAY_SIZE(trlevel) },
	{ "VMI_TRSWAP_COLS", trswap, ARRAY_SIZE(trswap) },
};

int main(void)
{
	size_t t, i;

	for (t = 0; t < ARRAY_SIZE(tables); t++)
		for (i = 0; i < tables[t].nr; i++)
			printf("%s %s %d\n", tables[t].name, tables[t].f[i].name,
			       tables[t].f[i].since);
	return 0;
}
