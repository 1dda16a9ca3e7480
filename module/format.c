// SPDX-License-Identifier: GPL-2.0
/*
 * Printing the formats from their tables in include/vminspect_abi.h, as
 * mm/vmstat.c prints vmstat_text[]: a file fills an array of values indexed
 * by its table's enum and loops over the table; the type of each key or
 * column decides how its value is printed.  What these print is exactly
 * what Documentation/proc-vminspect.rst describes for each type.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/seq_file.h>

#include "vminspect.h"

const struct vmi_field vmi_ps_cols[VMI_PS_NR_COLS] = {
	VMI_PS_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_mm_keys[VMI_MM_NR_KEYS] = {
	VMI_MM_KEYS(VMI_X_FIELD)
};

const struct vmi_field vmi_census_cols[VMI_CENSUS_NR_COLS] = {
	VMI_CENSUS_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_occrow_cols[VMI_OCCROW_NR_COLS] = {
	VMI_OCCROW_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_ptnode_cols[VMI_PTNODE_NR_COLS] = {
	VMI_PTNODE_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_vmas_cols[VMI_VMAS_NR_COLS] = {
	VMI_VMAS_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_vmarow_cols[VMI_VMAROW_NR_COLS] = {
	VMI_VMAROW_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_pt_cols[VMI_PT_NR_COLS] = {
	VMI_PT_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_tr_keys[VMI_TR_NR_KEYS] = {
	VMI_TR_KEYS(VMI_X_FIELD)
};

const struct vmi_field vmi_trlevel_cols[VMI_TRLEVEL_NR_COLS] = {
	VMI_TRLEVEL_COLS(VMI_X_FIELD)
};

const struct vmi_field vmi_trswap_cols[VMI_TRSWAP_NR_COLS] = {
	VMI_TRSWAP_COLS(VMI_X_FIELD)
};

/* " 4K", " 2M", " 1G": the largest unit that divides @size */
static void vmi_seq_size(struct seq_file *m, unsigned long long size)
{
	if (!(size % (1ULL << 30))) {
		seq_put_decimal_ull(m, "", size >> 30);
		seq_putc(m, 'G');
	} else if (!(size % (1ULL << 20))) {
		seq_put_decimal_ull(m, "", size >> 20);
		seq_putc(m, 'M');
	} else {
		seq_put_decimal_ull(m, "", size >> 10);
		seq_putc(m, 'K');
	}
}

/**
 * vmi_seq_hex - print @val in hex, zero-padded to @width digits
 * @m:		where to print
 * @delim:	a character before it, or 0
 * @val:	the value
 * @width:	at least this many digits (at most 16)
 *
 * seq_printf("%0*llx") without vsnprintf(): what show_map_vma() does with
 * seq_put_hex_ll(), which is not exported.
 */
void vmi_seq_hex(struct seq_file *m, char delim, unsigned long long val,
		 int width)
{
	char buf[1 + 16];
	int i = sizeof(buf), digits = 0;

	do {
		buf[--i] = "0123456789abcdef"[val & 0xf];
		val >>= 4;
		digits++;
	} while (val || digits < width);
	if (delim)
		buf[--i] = delim;
	seq_write(m, buf + i, sizeof(buf) - i);
}

/**
 * vmi_seq_val - print one value as its field's type says
 * @m:	where to print
 * @f:	the key or column
 * @v:	the value: @v->put() prints it if set, else @v->s (WORD, TEXT),
 *	else @v->n
 */
void vmi_seq_val(struct seq_file *m, const struct vmi_field *f,
		 const struct vmi_val *v)
{
	if (v->put) {
		v->put(m, v->arg);
		return;
	}
	switch (f->type) {
	case VMI_T_DEC:
		seq_put_decimal_ull(m, "", v->n);
		break;
	case VMI_T_HEX:
		seq_puts(m, "0x");
		vmi_seq_hex(m, 0, v->n, 16);
		break;
	case VMI_T_XNUM:
		seq_puts(m, "0x");
		vmi_seq_hex(m, 0, v->n, 1);
		break;
	case VMI_T_ADDR:
		vmi_seq_hex(m, 0, v->n, 16);
		break;
	case VMI_T_OFF:
		vmi_seq_hex(m, 0, v->n, 8);
		break;
	case VMI_T_DEV:
		vmi_seq_hex(m, 0, MAJOR(v->n), 2);
		vmi_seq_hex(m, ':', MINOR(v->n), 2);
		break;
	case VMI_T_PCT:
		/* @v->n is hundredths of a percent */
		seq_put_decimal_ull(m, "", v->n / 100);
		seq_putc(m, '.');
		seq_putc(m, '0' + v->n % 100 / 10);
		seq_putc(m, '0' + v->n % 10);
		break;
	case VMI_T_SIZE:
		vmi_seq_size(m, v->n);
		break;
	case VMI_T_WORD:
		seq_puts(m, v->s ?: "-");
		break;
	case VMI_T_TEXT:
		if (v->s)
			vmi_seq_comm(m, v->s);
		break;
	default:
		WARN_ON_ONCE(1);	/* GROUP and ROW are their file's */
	}
}

/* A TEXT column with nothing to print is absent, blank included. */
static bool vmi_val_absent(const struct vmi_field *f, const struct vmi_val *v)
{
	return f->type == VMI_T_TEXT && !v->put && !v->s;
}

/**
 * vmi_seq_header - print a columns header line, "# [@tag ]name name ..."
 * @m:		where to print
 * @tag:	the first word of the lines it names, or NULL
 * @f:		the columns
 * @nr:		how many
 */
void vmi_seq_header(struct seq_file *m, const char *tag,
		    const struct vmi_field *f, int nr)
{
	int i;

	seq_putc(m, '#');
	if (tag) {
		seq_putc(m, ' ');
		seq_puts(m, tag);
	}
	for (i = 0; i < nr; i++) {
		seq_putc(m, ' ');
		seq_puts(m, f[i].name);
	}
	seq_putc(m, '\n');
}

/**
 * vmi_seq_row - print a line of columns, "[@tag ]val val ...\n"
 * @m:		where to print
 * @tag:	its first word, or NULL
 * @f:		the columns
 * @nr:		how many of them to print (the first @nr)
 * @v:		their values, indexed as @f
 */
void vmi_seq_row(struct seq_file *m, const char *tag,
		 const struct vmi_field *f, int nr, const struct vmi_val *v)
{
	int i;

	if (tag)
		seq_puts(m, tag);
	for (i = 0; i < nr; i++) {
		if (vmi_val_absent(&f[i], &v[i]))
			continue;
		if (tag || i)
			seq_putc(m, ' ');
		vmi_seq_val(m, &f[i], &v[i]);
	}
	seq_putc(m, '\n');
}

/**
 * vmi_seq_keys - print "key value" lines in table order
 * @m:		where to print
 * @f:		the keys
 * @nr:		how many
 * @v:		their values, indexed as @f
 * @have:	bitmap of the keys to print, or NULL for all
 * @lines:	prints the lines of a GROUP or ROW key @key
 * @arg:	for @lines
 */
void vmi_seq_keys(struct seq_file *m, const struct vmi_field *f, int nr,
		  const struct vmi_val *v, const unsigned long *have,
		  void (*lines)(struct seq_file *m, int key, void *arg),
		  void *arg)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (have && !test_bit(i, have))
			continue;
		if (f[i].type == VMI_T_GROUP || f[i].type == VMI_T_ROW) {
			lines(m, i, arg);
			continue;
		}
		seq_puts(m, f[i].name);
		if (!vmi_val_absent(&f[i], &v[i]))
			seq_putc(m, ' ');
		vmi_seq_val(m, &f[i], &v[i]);
		seq_putc(m, '\n');
	}
}
