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

/*
 * A line is built in a buffer on the stack and written to the seq_file
 * once (vmi_seq_row()): a number costs a few stores instead of a call that
 * checks the seq_file's room for each value and each blank, the saving
 * show_map_vma() makes with seq_put_hex_ll().  Values a put() callback or
 * vmi_seq_comm() prints go to the seq_file directly, after what the line
 * holds so far.
 */
struct vmi_line {
	unsigned int len;
	char buf[256];
};

/* room for any value vmi_line_val() prints but a WORD */
#define VMI_LINE_VAL_MAX	48

static void vmi_line_flush(struct seq_file *m, struct vmi_line *l)
{
	if (l->len)
		seq_write(m, l->buf, l->len);
	l->len = 0;
}

static void vmi_line_putc(struct vmi_line *l, char c)
{
	l->buf[l->len++] = c;
}

/*
 * The digits are written in place, last first, not built elsewhere and
 * copied: a memcpy() of a length known only at run time is a call, and
 * most values are one digit.
 */
static void vmi_line_dec(struct vmi_line *l, unsigned long long n)
{
	unsigned long long t = n;
	unsigned int digits = 1;
	char *p;

	while (t >= 10) {
		t /= 10;
		digits++;
	}
	l->len += digits;
	p = l->buf + l->len;
	do {
		*--p = '0' + n % 10;
		n /= 10;
	} while (n);
}

/* @val in hex, zero-padded to @width digits (at most 16) */
static void vmi_line_hex(struct vmi_line *l, unsigned long long val,
			 int width)
{
	int digits = val ? DIV_ROUND_UP(fls64(val), 4) : 1;
	char *p;

	if (digits < width)
		digits = width;
	l->len += digits;
	p = l->buf + l->len;
	while (digits--) {
		*--p = "0123456789abcdef"[val & 0xf];
		val >>= 4;
	}
}

/* "4K", "2M", "1G": the largest unit that divides @size */
static void vmi_line_size(struct vmi_line *l, unsigned long long size)
{
	if (!(size % (1ULL << 30))) {
		vmi_line_dec(l, size >> 30);
		vmi_line_putc(l, 'G');
	} else if (!(size % (1ULL << 20))) {
		vmi_line_dec(l, size >> 20);
		vmi_line_putc(l, 'M');
	} else {
		vmi_line_dec(l, size >> 10);
		vmi_line_putc(l, 'K');
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
	struct vmi_line l;

	l.len = 0;
	if (delim)
		vmi_line_putc(&l, delim);
	vmi_line_hex(&l, val, width);
	vmi_line_flush(m, &l);
}

/*
 * Add one value to @l as its field's type says.  Return: false if it is
 * not one for the line (a put() callback, TEXT, a long WORD): the caller
 * prints it with vmi_seq_val_slow() after flushing @l.  The caller leaves
 * VMI_LINE_VAL_MAX bytes of room.
 */
static bool vmi_line_val(struct vmi_line *l, const struct vmi_field *f,
			 const struct vmi_val *v)
{
	const char *s;
	size_t len;

	if (v->put)
		return false;
	switch (f->type) {
	case VMI_T_DEC:
		vmi_line_dec(l, v->n);
		break;
	case VMI_T_HEX:
		vmi_line_putc(l, '0');
		vmi_line_putc(l, 'x');
		vmi_line_hex(l, v->n, 16);
		break;
	case VMI_T_XNUM:
		vmi_line_putc(l, '0');
		vmi_line_putc(l, 'x');
		vmi_line_hex(l, v->n, 1);
		break;
	case VMI_T_ADDR:
		vmi_line_hex(l, v->n, 16);
		break;
	case VMI_T_OFF:
		vmi_line_hex(l, v->n, 8);
		break;
	case VMI_T_DEV:
		vmi_line_hex(l, MAJOR(v->n), 2);
		vmi_line_putc(l, ':');
		vmi_line_hex(l, MINOR(v->n), 2);
		break;
	case VMI_T_PCT:
		/* @v->n is hundredths of a percent */
		vmi_line_dec(l, v->n / 100);
		vmi_line_putc(l, '.');
		vmi_line_putc(l, '0' + v->n % 100 / 10);
		vmi_line_putc(l, '0' + v->n % 10);
		break;
	case VMI_T_SIZE:
		vmi_line_size(l, v->n);
		break;
	case VMI_T_WORD:
		/* copied as it is measured: a word is a few bytes */
		s = v->s ?: "-";
		for (len = 0; s[len]; len++) {
			if (len == VMI_LINE_VAL_MAX)
				return false;
			l->buf[l->len + len] = s[len];
		}
		l->len += len;
		break;
	default:
		return false;	/* TEXT, and GROUP and ROW are their file's */
	}
	return true;
}

/* a value vmi_line_val() does not take */
static void vmi_seq_val_slow(struct seq_file *m, const struct vmi_field *f,
			     const struct vmi_val *v)
{
	if (v->put) {
		v->put(m, v->arg);
		return;
	}
	switch (f->type) {
	case VMI_T_WORD:
		seq_puts(m, v->s);	/* a long one: never NULL */
		break;
	case VMI_T_TEXT:
		if (v->s)
			vmi_seq_comm(m, v->s);
		break;
	default:
		WARN_ON_ONCE(1);	/* GROUP and ROW are their file's */
	}
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
	struct vmi_line l;

	l.len = 0;
	if (vmi_line_val(&l, f, v))
		vmi_line_flush(m, &l);
	else
		vmi_seq_val_slow(m, f, v);
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
	struct vmi_line l;
	int i;

	l.len = 0;
	if (tag)
		seq_puts(m, tag);
	for (i = 0; i < nr; i++) {
		if (vmi_val_absent(&f[i], &v[i]))
			continue;
		if (l.len > sizeof(l.buf) - 2 - VMI_LINE_VAL_MAX)
			vmi_line_flush(m, &l);
		if (tag || i)
			vmi_line_putc(&l, ' ');
		if (vmi_line_val(&l, &f[i], &v[i]))
			continue;
		vmi_line_flush(m, &l);
		vmi_seq_val_slow(m, &f[i], &v[i]);
	}
	vmi_line_putc(&l, '\n');
	vmi_line_flush(m, &l);
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
