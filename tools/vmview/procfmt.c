// SPDX-License-Identifier: GPL-2.0
/*
 * procfmt: parse every /proc/vminspect file, exactly as
 * Documentation/proc-vminspect.rst describes it, and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procfmt.h"

#define VMI_DEFAULT_ROOT	"/proc/" VMI_PROC_DIR

static char fmt_err[256];
static uint64_t read_max_ns;	/* longest read() of vmv_slurp() */

uint64_t vmv_read_max_ns(bool reset)
{
	uint64_t v = read_max_ns;

	if (reset)
		read_max_ns = 0;
	return v;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char * const vmv_mm_key_names[VMI_MM_NR_KEYS] = {
	VMI_MM_KEYS(VMI_X_NAME)
};

static const char * const state_names[] = VMI_STATE_NAMES;
static const char * const attr_names[] = VMI_ATTR_NAMES;
static const char * const folio_names[] = VMI_FOLIO_NAMES;
static const char * const level_names[] = VMI_LEVEL_NAMES;

/* The files' keys and columns (include/vminspect_abi.h). */
static const struct vmi_field ps_cols[] = { VMI_PS_COLS(VMI_X_FIELD) };
static const struct vmi_field mm_keys[] = { VMI_MM_KEYS(VMI_X_FIELD) };
static const struct vmi_field census_cols[] = { VMI_CENSUS_COLS(VMI_X_FIELD) };
static const struct vmi_field occrow_cols[] = { VMI_OCCROW_COLS(VMI_X_FIELD) };
static const struct vmi_field ptnode_cols[] = { VMI_PTNODE_COLS(VMI_X_FIELD) };
static const struct vmi_field vmas_cols[] = { VMI_VMAS_COLS(VMI_X_FIELD) };
static const struct vmi_field vmarow_cols[] = { VMI_VMAROW_COLS(VMI_X_FIELD) };
static const struct vmi_field pt_cols[] = { VMI_PT_COLS(VMI_X_FIELD) };
static const struct vmi_field tr_keys[] = { VMI_TR_KEYS(VMI_X_FIELD) };
static const struct vmi_field trlevel_cols[] = { VMI_TRLEVEL_COLS(VMI_X_FIELD) };
static const struct vmi_field trswap_cols[] = { VMI_TRSWAP_COLS(VMI_X_FIELD) };

bool vmv_mm_key_is_addr(enum vmi_mm_key k)
{
	return mm_keys[k].type == VMI_T_HEX;
}

const char *vmv_proc_root(void)
{
	const char *r = getenv("VMVIEW_PROCFS");

	return r && *r ? r : VMI_DEFAULT_ROOT;
}

const char *vmv_fmt_error(void)
{
	return fmt_err;
}

static const struct vmv_source *source;	/* NULL: the live files */

void vmv_set_source(const struct vmv_source *src)
{
	source = src;
}

const struct vmv_source *vmv_get_source(void)
{
	return source;
}

static int fmt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fmt_err, sizeof(fmt_err), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

static int major_fail(const char *path, unsigned int major,
		      unsigned int minor)
{
	return fmt_fail("%s: unknown format version %u.%u (vmview reads %d.x)",
			path, major, minor, VMI_FORMAT_MAJOR);
}

char *vmv_slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf, *nb;
	uint64_t t0;
	ssize_t r;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				err = ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		t0 = mono_ns();
		r = read(fd, buf + n, cap - n);
		t0 = mono_ns() - t0;
		if (t0 > read_max_ns)
			read_max_ns = t0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto fail;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	errno = err;
	return NULL;
}

/* Decimal, or hex with 0x; hex always when @hex (address columns). */
static int parse_u64(const char *s, bool hex, uint64_t *out)
{
	char *end;
	int base = 10;

	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	} else if (hex) {
		base = 16;
	}
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	return 0;
}

int vmv_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	const char *p, *u;
	size_t len = strlen(s);
	char buf[32];
	uint64_t v;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	p = strchr(units, buf[len - 1]);
	if (p) {
		buf[len - 1] = '\0';
		if (parse_u64(buf, false, &v))
			return -1;
		for (u = units; u <= p; u++)
			v <<= 10;
		*out = v;
		return 0;
	}
	return parse_u64(buf, false, out);
}

static int name_index(const char *name, const char * const *names, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (names[i] && !strcmp(name, names[i]))
			return i;
	return -1;
}

/* Split off the next space-separated token; NULL at end of line. */
static char *next_tok(char **p)
{
	char *s = *p, *t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	t = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return t;
}

/*
 * The rest of the line, leading blanks skipped; NULL if empty.  It is
 * display text (a comm or a path, which the kernel escapes only for '\n'
 * and '\\'): other control characters become '?', so that no name can
 * drive the terminal vmview prints to.
 */
static char *rest_of_line(char **p)
{
	char *s = *p, *c;

	while (*s == ' ' || *s == '\t')
		s++;
	*p = s + strlen(s);
	for (c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return *s ? s : NULL;
}

/*
 * The version line "vminspect-@name M.m" of @buf, which @path names in
 * errors: *body is set to the line after it.  An unknown major is refused.
 */
static int check_version(char *buf, const char *name, const char *path,
			 char **body)
{
	char *nl, *p, *tag, *ver, expect[64];
	unsigned int major, minor;

	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	p = buf;
	tag = next_tok(&p);
	ver = next_tok(&p);
	snprintf(expect, sizeof(expect), "vminspect-%s", name);
	if (!tag || strcmp(tag, expect) || !ver ||
	    sscanf(ver, "%u.%u", &major, &minor) != 2)
		return fmt_fail("%s: no version line '%s %d.%d' (not a vminspect file?)",
				path, expect, VMI_FORMAT_MAJOR, VMI_FORMAT_MINOR);
	if (major != VMI_FORMAT_MAJOR)
		return major_fail(path, major, minor);
	*body = nl ? nl + 1 : buf + strlen(buf);
	return 0;
}

/*
 * The one read of every file: @rel (relative to the proc root, "PID/name"
 * or "processes") from the live files or the source, its version line
 * checked.  Returns the buffer (*bufp, malloc'd), the line after the
 * version line (*body) and the path to name in errors.
 */
static int read_versioned(const char *rel, const char *name, char **bufp,
			  char **body, char *path, size_t len)
{
	size_t n = 0;
	char *buf;
	int ret;

	snprintf(path, len, "%s/%s", vmv_proc_root(), rel);
	buf = source ? source->read(rel) : vmv_slurp(path, &n);
	if (!buf)
		return -errno;
	/* our files are text: a NUL would silently end the file early */
	if (!source && strlen(buf) != n) {
		size_t at = strlen(buf);

		free(buf);
		return fmt_fail("%s: a NUL byte at offset %zu (not a vminspect file?)",
				path, at);
	}
	ret = check_version(buf, name, path, body);
	if (ret) {
		free(buf);
		return ret;
	}
	*bufp = buf;
	return 0;
}

/* /proc/vminspect/PID/FILE, read and its version checked */
static int read_pid_file(pid_t pid, const char *file, char **buf,
			 char **body, char *path, size_t len)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/%s", pid, file);
	return read_versioned(rel, file, buf, body, path, len);
}

/* Iterate over lines: returns the next line (NUL-terminated) or NULL. */
static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* Blank: nothing but spaces and tabs. */
static bool blank(const char *line)
{
	return !line[strspn(line, " \t")];
}

static int grow(void **arr, size_t *cap, size_t nr, size_t elem)
{
	void *n;

	if (nr < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	n = realloc(*arr, *cap * elem);
	if (!n)
		return -ENOMEM;
	memset((char *)n + nr * elem, 0, (*cap - nr) * elem);
	*arr = n;
	return 0;
}

/*
 * The two generic parsers.  A line's values land in a struct vmv_vals,
 * indexed by the enum of its table: numbers in n[] (d[] for percentages),
 * words and text in s[] (pointing into the buffer), have[] set for each
 * value the line had.
 */
#define VMV_MAX_COLS	64
#define VMV_MAX_HDR	64

struct vmv_vals {
	uint64_t n[VMV_MAX_COLS];
	double d[VMV_MAX_COLS];
	char *s[VMV_MAX_COLS];
	bool have[VMV_MAX_COLS];
};

/* Parse one token of type @f->type into @v[@i]; -1 if malformed. */
static int parse_val(const struct vmi_field *f, int i, char *tok,
		     struct vmv_vals *v)
{
	char *end;

	switch (f->type) {
	case VMI_T_DEC:
	case VMI_T_HEX:
	case VMI_T_XNUM:
		if (parse_u64(tok, false, &v->n[i]))
			return -1;
		break;
	case VMI_T_ADDR:
	case VMI_T_OFF:
		if (parse_u64(tok, true, &v->n[i]))
			return -1;
		break;
	case VMI_T_PCT:
		errno = 0;
		v->d[i] = strtod(tok, &end);
		if (errno || *end || end == tok || v->d[i] < 0)
			return -1;
		break;
	case VMI_T_SIZE:
		if (vmv_parse_size(tok, &v->n[i]))
			return -1;
		break;
	default:	/* DEV, WORD, TEXT */
		break;
	}
	v->s[i] = tok;
	v->have[i] = true;
	return 0;
}

/*
 * "Columns named by the header line": lines "[TAG] VALUE...", whose
 * columns a header "# [TAG] NAME..." names.  Until a header is seen the
 * columns are in table order; columns of a newer format (not in the table)
 * are skipped; a TEXT column takes the rest of the line and may be absent.
 */
struct vmv_cols {
	const char *tag;		/* NULL: the file's untagged lines */
	const struct vmi_field *f;
	int nr;
	int order[VMV_MAX_HDR];		/* table index of each column, or -1 */
	int ncols;
};

static void cols_init(struct vmv_cols *c, const char *tag,
		      const struct vmi_field *f, int nr)
{
	int i;

	c->tag = tag;
	c->f = f;
	c->nr = nr;
	for (i = 0; i < nr; i++)
		c->order[i] = i;
	c->ncols = nr;
}

static int field_index(const struct vmi_field *f, int nr, const char *name)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(f[i].name, name))
			return i;
	return -1;
}

/*
 * A comment line (after its '#'): if it is @c's header, learn the order of
 * the columns from it.  An untagged header starts with a column's name.
 */
static bool cols_header(struct vmv_cols *c, const char *comment)
{
	char buf[1024], *p = buf, *t;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", comment);
	t = next_tok(&p);
	if (!t)
		return false;
	if (c->tag) {
		if (strcmp(t, c->tag))
			return false;
		t = next_tok(&p);
	} else if (field_index(c->f, c->nr, t) < 0) {
		return false;
	}
	for (; t && n < VMV_MAX_HDR; t = next_tok(&p))
		c->order[n++] = field_index(c->f, c->nr, t);
	c->ncols = n;
	return true;
}

/* Parse the values of a line (after its tag) into @v; -1 if malformed. */
static int cols_parse(const struct vmv_cols *c, char *p, struct vmv_vals *v)
{
	int i, k;
	char *t;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < c->ncols; i++) {
		k = c->order[i];
		if (k >= 0 && c->f[k].type == VMI_T_TEXT && i == c->ncols - 1) {
			t = rest_of_line(&p);
			if (t) {
				v->s[k] = t;
				v->have[k] = true;
			}
			return 0;
		}
		t = next_tok(&p);
		if (!t)
			return -1;
		if (k >= 0 && parse_val(&c->f[k], k, t, v))
			return -1;
	}
	return 0;
}

/*
 * "Key value": lines "KEY VALUE", KEY one of the table's.  Scalar keys land
 * in @v; the lines of GROUP and ROW keys go to @lines(key, rest of the
 * line, @arg), which returns 0 or -1 (malformed); comment lines are offered
 * to the @nrows column parsers of ROW keys as headers.  Unknown keys are
 * ignored.  Returns 0, or -1 with *bad the malformed line and *badlen its
 * length (the parse cut it into words: see bad_line()).
 */
static int kv_parse(char *body, const struct vmi_field *keys, int nr,
		    struct vmv_vals *v, struct vmv_cols *rows, int nrows,
		    int (*lines)(int key, char *rest, void *arg), void *arg,
		    char **bad, size_t *badlen)
{
	char *line, *p, *k, *t;
	size_t len;
	int i;

	memset(v, 0, sizeof(*v));
	while ((line = next_line(&body))) {
		len = strlen(line);
		if (line[0] == '#') {
			for (i = 0; i < nrows; i++)
				if (cols_header(&rows[i], line + 1))
					break;
			continue;
		}
		if (blank(line))
			continue;
		p = line;
		k = next_tok(&p);
		i = field_index(keys, nr, k);
		if (i < 0)
			continue;	/* a newer key: ignore */
		switch (keys[i].type) {
		case VMI_T_GROUP:
		case VMI_T_ROW:
			if (lines(i, p, arg))
				goto bad;
			continue;
		case VMI_T_TEXT:
			t = rest_of_line(&p);
			v->s[i] = t ? t : p;
			v->have[i] = true;
			continue;
		}
		t = next_tok(&p);
		if (!t || parse_val(&keys[i], i, t, v))
			goto bad;
	}
	return 0;
bad:
	*bad = line;
	*badlen = len;
	return -1;
}

/* The error for @line (@len bytes before its words were cut apart). */
static int bad_line(const char *path, char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!line[i])
			line[i] = ' ';
	return fmt_fail("%s: malformed line '%.*s'", path, (int)len, line);
}

/* Untagged lines of one table: processes, vmas. */
static int cols_file(const char *rel, const char *name,
		     const struct vmi_field *f, int nr,
		     int (*row)(struct vmv_vals *v, void *arg), void *arg)
{
	char path[512], *buf, *body, *line;
	struct vmv_cols c;
	size_t len;
	struct vmv_vals *v;
	int ret;

	ret = read_versioned(rel, name, &buf, &body, path, sizeof(path));
	if (ret)
		return ret;
	v = malloc(sizeof(*v));
	if (!v) {
		free(buf);
		return -ENOMEM;
	}
	cols_init(&c, NULL, f, nr);
	while ((line = next_line(&body))) {
		len = strlen(line);
		if (line[0] == '#') {
			cols_header(&c, line + 1);
			continue;
		}
		if (blank(line))
			continue;
		if (cols_parse(&c, line, v)) {
			ret = bad_line(path, line, len);
			break;
		}
		ret = row(v, arg);
		if (ret == -EPROTO)
			ret = bad_line(path, line, len);
		if (ret)
			break;
	}
	free(v);
	free(buf);
	return ret;
}

struct procs_acc {
	struct vmv_proc *arr;
	size_t n, cap;
};

static int procs_row(struct vmv_vals *v, void *arg)
{
	struct procs_acc *a = arg;
	struct vmv_proc *pr;
	int i;

	if (!v->have[VMI_PS_PID])
		return -EPROTO;
	if (grow((void **)&a->arr, &a->cap, a->n, sizeof(*a->arr)))
		return -ENOMEM;
	pr = &a->arr[a->n++];
	pr->pid = v->n[VMI_PS_PID];
	pr->vmas = v->n[VMI_PS_VMAS];
	pr->rss = v->n[VMI_PS_RSS];
	for (i = 0; i < VMI_NR_LEVELS; i++)
		pr->pt[i] = v->n[VMI_PS_PGD + i];
	pr->pt_bytes = v->n[VMI_PS_PT_BYTES];
	snprintf(pr->comm, sizeof(pr->comm), "%s",
		 v->s[VMI_PS_COMM] ? v->s[VMI_PS_COMM] : "");
	return 0;
}

int vmv_read_processes(struct vmv_proc **procs, size_t *nr)
{
	struct procs_acc a = { 0 };
	int ret;

	ret = cols_file(VMI_PROC_PROCESSES, VMI_PROC_PROCESSES, ps_cols,
			VMI_PS_NR_COLS, procs_row, &a);
	if (ret) {
		free(a.arr);
		return ret;
	}
	*procs = a.arr;
	*nr = a.n;
	return 0;
}

enum { MM_ROW_CENSUS, MM_ROW_OCC, MM_ROW_PTNODE, MM_NR_ROWS };

struct mm_acc {
	struct vmv_mm *mm;
	struct vmv_cols rows[MM_NR_ROWS];
	struct vmv_vals v;
};

/* "occupancy LEVEL E0..." and "pt_node LEVEL NODE TABLES REMOTE" */
static int mm_row(struct mm_acc *a, int key, char *p)
{
	struct vmv_vals *v = &a->v;
	int i, j;

	if (key == VMI_MM_OCCUPANCY) {
		if (cols_parse(&a->rows[MM_ROW_OCC], p, v) ||
		    !v->have[VMI_OCCROW_LEVEL])
			return -1;
		i = name_index(v->s[VMI_OCCROW_LEVEL], level_names,
			       VMI_NR_LEVELS);
		for (j = 0; i >= 0 && j < VMI_NR_OCCS; j++)
			a->mm->census[i].occ[j] = v->n[VMI_OCCROW_E0 + j];
		return 0;
	}
	if (cols_parse(&a->rows[MM_ROW_PTNODE], p, v) ||
	    !v->have[VMI_PTNODE_LEVEL] || !v->have[VMI_PTNODE_NODE])
		return -1;
	i = name_index(v->s[VMI_PTNODE_LEVEL], level_names, VMI_NR_LEVELS);
	j = v->n[VMI_PTNODE_NODE];
	if (i >= 0 && v->n[VMI_PTNODE_NODE] < VMV_NUMA_NODES) {
		a->mm->pt_node[i][j].tables = v->n[VMI_PTNODE_TABLES];
		a->mm->pt_node[i][j].remote = v->n[VMI_PTNODE_REMOTE];
		a->mm->pt_node[i][j].data = v->n[VMI_PTNODE_DATA];
		a->mm->pt_node[i][j].local = v->n[VMI_PTNODE_LOCAL];
	}
	return 0;
}

static int mm_lines(int key, char *p, void *arg)
{
	struct mm_acc *a = arg;
	char *name, *val;
	uint64_t n;
	int i;

	if (key == VMI_MM_OCCUPANCY || key == VMI_MM_PT_NODE)
		return mm_row(a, key, p);
	if (key == VMI_MM_CENSUS) {
		struct vmv_census *c;

		if (cols_parse(&a->rows[MM_ROW_CENSUS], p, &a->v) ||
		    !a->v.have[VMI_CENSUS_LEVEL])
			return -1;
		i = name_index(a->v.s[VMI_CENSUS_LEVEL], level_names,
			       VMI_NR_LEVELS);
		if (i < 0)
			return 0;	/* a level we do not know */
		c = &a->mm->census[i];
		c->tables = a->v.n[VMI_CENSUS_TABLES];
		c->entries = a->v.n[VMI_CENSUS_ENTRIES];
		c->capacity = a->v.n[VMI_CENSUS_CAPACITY];
		c->fill_pct = a->v.d[VMI_CENSUS_FILL_PCT];
		c->bytes = a->v.n[VMI_CENSUS_BYTES];
		c->remote = a->v.n[VMI_CENSUS_REMOTE];
		return 0;
	}
	/* the groups: "state NAME N", "attr NAME N" */
	name = next_tok(&p);
	val = next_tok(&p);
	if (!name || !val || parse_u64(val, false, &n))
		return -1;
	if (key == VMI_MM_STATE) {
		i = name_index(name, state_names, VMI_NR_STATES);
		if (i >= 0)
			a->mm->state[i] = n;
	} else if (key == VMI_MM_ATTR) {
		i = name_index(name, attr_names, VMI_NR_ATTRS);
		if (i >= 0)
			a->mm->attr[i] = n;
	} else if (key == VMI_MM_MAPPED) {
		i = name_index(name, folio_names, VMI_NR_FOLIOS);
		if (i >= 0)
			a->mm->folio[i] = n;
	}
	return 0;
}

int vmv_read_mm(pid_t pid, struct vmv_mm *mm)
{
	char path[512], *buf, *body, *bad;
	size_t badlen;
	struct mm_acc *a;
	struct vmv_vals *v;
	int ret, k;

	memset(mm, 0, sizeof(*mm));
	ret = read_pid_file(pid, VMI_PROC_MM, &buf, &body, path, sizeof(path));
	if (ret)
		return ret;
	a = calloc(1, sizeof(*a));
	v = malloc(sizeof(*v));
	if (!a || !v) {
		ret = -ENOMEM;
		goto out;
	}
	a->mm = mm;
	cols_init(&a->rows[MM_ROW_CENSUS], mm_keys[VMI_MM_CENSUS].name,
		  census_cols, VMI_CENSUS_NR_COLS);
	cols_init(&a->rows[MM_ROW_OCC], mm_keys[VMI_MM_OCCUPANCY].name,
		  occrow_cols, VMI_OCCROW_NR_COLS);
	cols_init(&a->rows[MM_ROW_PTNODE], mm_keys[VMI_MM_PT_NODE].name,
		  ptnode_cols, VMI_PTNODE_NR_COLS);
	if (kv_parse(body, mm_keys, VMI_MM_NR_KEYS, v, a->rows, MM_NR_ROWS,
		     mm_lines, a, &bad, &badlen)) {
		ret = bad_line(path, bad, badlen);
		goto out;
	}
	for (k = 0; k < VMI_MM_NR_KEYS; k++) {
		if (!v->have[k])
			continue;
		if (mm_keys[k].type == VMI_T_TEXT) {
			snprintf(mm->comm, sizeof(mm->comm), "%s", v->s[k]);
			continue;
		}
		if (k == VMI_MM_THP_DISABLED)
			snprintf(mm->thp_disabled, sizeof(mm->thp_disabled),
				 "%s", v->s[k]);
		if (k == VMI_MM_PT_RESIDENT_PCT)
			mm->pt_resident_pct = v->d[k];
		mm->key[k] = v->n[k];
		mm->have[k] = true;
	}
out:
	free(v);
	free(a);
	free(buf);
	return ret;
}

void vmv_free_vmas(struct vmv_vma *vmas, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(vmas[i].flags);
		free(vmas[i].path);
	}
	free(vmas);
}

struct vmas_acc {
	struct vmv_vma *arr;
	size_t n, cap;
};

static int vmas_row(struct vmv_vals *c, void *arg)
{
	struct vmas_acc *a = arg;
	struct vmv_vma *v;
	int i;

	if (!c->have[VMI_VMAS_START] || !c->have[VMI_VMAS_END] ||
	    c->n[VMI_VMAS_END] <= c->n[VMI_VMAS_START] ||
	    (c->have[VMI_VMAS_PERMS] && strlen(c->s[VMI_VMAS_PERMS]) != 4))
		return -EPROTO;
	if (grow((void **)&a->arr, &a->cap, a->n, sizeof(*a->arr)))
		return -ENOMEM;
	v = &a->arr[a->n++];
	v->start = c->n[VMI_VMAS_START];
	v->end = c->n[VMI_VMAS_END];
	snprintf(v->perms, sizeof(v->perms), "%s",
		 c->have[VMI_VMAS_PERMS] ? c->s[VMI_VMAS_PERMS] : "");
	v->offset = c->n[VMI_VMAS_OFFSET];
	snprintf(v->dev, sizeof(v->dev), "%s",
		 c->have[VMI_VMAS_DEV] ? c->s[VMI_VMAS_DEV] : "");
	v->inode = c->n[VMI_VMAS_INODE];
	for (i = 0; i < VMI_NR_STATES; i++)
		v->state[i] = c->n[VMI_VMAS_PRESENT + i];
	for (i = 0; i < VMI_NR_ATTRS; i++)
		v->attr[i] = c->n[VMI_VMAS_HUGE_PMD + i];
	v->tables[VMV_VT_PUD] = c->n[VMI_VMAS_PUD_TABLES];
	v->tables[VMV_VT_PMD] = c->n[VMI_VMAS_PMD_TABLES];
	v->tables[VMV_VT_PTE] = c->n[VMI_VMAS_PTE_TABLES];
	v->have_thp = c->have[VMI_VMAS_PMD_SLOTS];
	snprintf(v->kind, sizeof(v->kind), "%s",
		 c->have[VMI_VMAS_KIND] ? c->s[VMI_VMAS_KIND] : "");
	for (i = 0; i < VMI_NR_FOLIOS; i++)
		v->folio[i] = c->n[VMI_VMAS_4K + i];
	v->pte_empty = c->n[VMI_VMAS_PTE_EMPTY];
	v->pte_remote = c->n[VMI_VMAS_PTE_REMOTE];
	v->pmd_slots = c->n[VMI_VMAS_PMD_SLOTS];
	v->slot_none = c->n[VMI_VMAS_SLOT_NONE];
	v->slot_swap = c->n[VMI_VMAS_SLOT_SWAP];
	v->slot_shared = c->n[VMI_VMAS_SLOT_SHARED];
	if (c->have[VMI_VMAS_FLAGS]) {
		v->flags = strdup(c->s[VMI_VMAS_FLAGS]);
		if (!v->flags)
			return -ENOMEM;
	}
	if (c->have[VMI_VMAS_PATH]) {
		v->path = strdup(c->s[VMI_VMAS_PATH]);
		if (!v->path)
			return -ENOMEM;
	}
	return 0;
}

int vmv_read_vmas(pid_t pid, struct vmv_vma **vmasp, size_t *nrp)
{
	struct vmas_acc a = { 0 };
	char rel[64];
	int ret;

	snprintf(rel, sizeof(rel), "%d/%s", pid, VMI_PROC_VMAS);
	ret = cols_file(rel, VMI_PROC_VMAS, vmas_cols, VMI_VMAS_NR_COLS,
			vmas_row, &a);
	if (ret) {
		vmv_free_vmas(a.arr, a.n);
		return ret;
	}
	*vmasp = a.arr;
	*nrp = a.n;
	return 0;
}

const struct vmv_vma *vmv_find_vma(const struct vmv_vma *vmas, size_t nr,
				   uint64_t addr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (addr >= vmas[i].start && addr < vmas[i].end)
			return &vmas[i];
	return NULL;
}

void vmv_free_pagetable(struct vmv_pagetable *pt)
{
	size_t i;

	for (i = 0; i < pt->nr_vmas; i++)
		free(pt->vmas[i].path);
	for (i = 0; i < pt->nr_runs; i++) {
		free(pt->runs[i].flags);
		free(pt->runs[i].phys);
	}
	free(pt->vmas);
	free(pt->runs);
	memset(pt, 0, sizeof(*pt));
}

static int pt_vma(struct vmv_pagetable *pt, size_t *cap, struct vmv_vals *c)
{
	struct vmv_pt_vma *v;

	if (!c->have[VMI_VMAROW_START] || !c->have[VMI_VMAROW_END])
		return -EPROTO;
	if (grow((void **)&pt->vmas, cap, pt->nr_vmas, sizeof(*pt->vmas)))
		return -ENOMEM;
	v = &pt->vmas[pt->nr_vmas++];
	v->start = c->n[VMI_VMAROW_START];
	v->end = c->n[VMI_VMAROW_END];
	snprintf(v->perms, sizeof(v->perms), "%s",
		 c->have[VMI_VMAROW_PERMS] ? c->s[VMI_VMAROW_PERMS] : "");
	if (c->have[VMI_VMAROW_PATH]) {
		v->path = strdup(c->s[VMI_VMAROW_PATH]);
		if (!v->path)
			return -ENOMEM;
	}
	return 0;
}

static int pt_run(struct vmv_pagetable *pt, size_t *cap, struct vmv_vals *c)
{
	struct vmv_pt_run *r;
	int i;

	for (i = 0; i < VMI_PT_NR_COLS; i++)
		if (!c->have[i])
			return -EPROTO;
	if (!pt->nr_vmas)
		return -EPROTO;		/* a run before any vma line */
	if (grow((void **)&pt->runs, cap, pt->nr_runs, sizeof(*pt->runs)))
		return -ENOMEM;
	r = &pt->runs[pt->nr_runs++];
	r->start = c->n[VMI_PT_START];
	r->end = c->n[VMI_PT_END];
	r->size = c->n[VMI_PT_SIZE];
	snprintf(r->level, sizeof(r->level), "%s", c->s[VMI_PT_LEVEL]);
	snprintf(r->state, sizeof(r->state), "%s", c->s[VMI_PT_STATE]);
	r->flags = strdup(c->s[VMI_PT_FLAGS]);
	r->phys = strdup(c->s[VMI_PT_PHYS]);
	r->vma = pt->nr_vmas - 1;
	return r->flags && r->phys ? 0 : -ENOMEM;
}

int vmv_read_pagetable(pid_t pid, struct vmv_pagetable *pt)
{
	char path[512], *buf, *body, *line, *p;
	struct vmv_cols vmarow, runs;
	size_t cap_v = 0, cap_r = 0, n, len;
	struct vmv_vals *v;
	int ret;

	memset(pt, 0, sizeof(*pt));
	ret = read_pid_file(pid, VMI_PROC_PAGETABLE, &buf, &body, path,
			    sizeof(path));
	if (ret)
		return ret;
	v = malloc(sizeof(*v));
	if (!v) {
		free(buf);
		return -ENOMEM;
	}
	cols_init(&vmarow, VMI_VMAROW_TAG, vmarow_cols, VMI_VMAROW_NR_COLS);
	cols_init(&runs, NULL, pt_cols, VMI_PT_NR_COLS);
	while ((line = next_line(&body))) {
		len = strlen(line);
		if (line[0] == '#') {
			if (!cols_header(&vmarow, line + 1))
				cols_header(&runs, line + 1);
			continue;
		}
		if (blank(line))
			continue;
		p = line + strspn(line, " \t");
		n = strlen(VMI_VMAROW_TAG);
		if (!strncmp(p, VMI_VMAROW_TAG, n) && (p[n] == ' ' || p[n] == '\t'))
			ret = cols_parse(&vmarow, p + n, v) ? -EPROTO :
			      pt_vma(pt, &cap_v, v);
		else
			ret = cols_parse(&runs, line, v) ? -EPROTO :
			      pt_run(pt, &cap_r, v);
		if (ret == -EPROTO)
			ret = bad_line(path, line, len);
		if (ret)
			break;
	}
	if (ret)
		vmv_free_pagetable(pt);
	free(v);
	free(buf);
	return ret;
}

enum { TR_ROW_VMA, TR_ROW_LEVEL, TR_ROW_SWAP, TR_NR_ROWS };

struct tr_acc {
	struct vmv_translate *tr;
	struct vmv_cols rows[TR_NR_ROWS];
	struct vmv_vals v;
};

static int tr_lines(int key, char *p, void *arg)
{
	struct tr_acc *a = arg;
	struct vmv_translate *tr = a->tr;
	struct vmv_vals *v = &a->v;
	struct vmv_tr_level *l;
	char w1[16], w2[16];
	int i, nw;

	/* the two lines that are not columns: "vma none", "level p4d folded" */
	nw = sscanf(p, "%15s %15s", w1, w2);
	switch (key) {
	case VMI_TR_VMA:
		if (nw == 1 && !strcmp(w1, "none"))
			return 0;
		if (cols_parse(&a->rows[TR_ROW_VMA], p, v) ||
		    !v->have[VMI_VMAROW_START] || !v->have[VMI_VMAROW_END])
			return -1;
		tr->in_vma = true;
		tr->vma_start = v->n[VMI_VMAROW_START];
		tr->vma_end = v->n[VMI_VMAROW_END];
		snprintf(tr->vma_perms, sizeof(tr->vma_perms), "%s",
			 v->have[VMI_VMAROW_PERMS] ? v->s[VMI_VMAROW_PERMS] : "");
		snprintf(tr->vma_path, sizeof(tr->vma_path), "%s",
			 v->have[VMI_VMAROW_PATH] ? v->s[VMI_VMAROW_PATH] : "");
		return 0;
	case VMI_TR_LEVEL:
		if (nw < 1)
			return -1;
		i = name_index(w1, level_names, VMI_NR_LEVELS);
		if (i < 0)
			return 0;	/* a level we do not know */
		l = &tr->level[i];
		if (nw == 2 && !strcmp(w2, "folded")) {
			l->present = true;
			l->folded = true;
			return 0;
		}
		if (cols_parse(&a->rows[TR_ROW_LEVEL], p, v) ||
		    !v->have[VMI_TRLEVEL_INDEX] || !v->have[VMI_TRLEVEL_ENTRY])
			return -1;
		l->present = true;
		l->index = v->n[VMI_TRLEVEL_INDEX];
		l->entry = v->n[VMI_TRLEVEL_ENTRY];
		snprintf(l->bits, sizeof(l->bits), "%s",
			 v->have[VMI_TRLEVEL_BITS] ? v->s[VMI_TRLEVEL_BITS] : "");
		return 0;
	case VMI_TR_SWAP:
		if (cols_parse(&a->rows[TR_ROW_SWAP], p, v))
			return -1;
		tr->have_swap = true;
		tr->swap_type = v->n[VMI_TRSWAP_TYPE];
		tr->swap_offset = v->n[VMI_TRSWAP_OFFSET];
		return 0;
	}
	return 0;
}

static int parse_translate(char *body, const char *path,
			   struct vmv_translate *tr)
{
	struct vmv_vals *v;
	struct tr_acc *a;
	size_t badlen;
	char *bad;
	int ret = 0;

	a = calloc(1, sizeof(*a));
	v = malloc(sizeof(*v));
	if (!a || !v) {
		ret = -ENOMEM;
		goto out;
	}
	a->tr = tr;
	cols_init(&a->rows[TR_ROW_VMA], VMI_VMAROW_TAG, vmarow_cols,
		  VMI_VMAROW_NR_COLS);
	cols_init(&a->rows[TR_ROW_LEVEL], tr_keys[VMI_TR_LEVEL].name,
		  trlevel_cols, VMI_TRLEVEL_NR_COLS);
	cols_init(&a->rows[TR_ROW_SWAP], tr_keys[VMI_TR_SWAP].name,
		  trswap_cols, VMI_TRSWAP_NR_COLS);
	if (kv_parse(body, tr_keys, VMI_TR_NR_KEYS, v, a->rows, TR_NR_ROWS,
		     tr_lines, a, &bad, &badlen)) {
		ret = bad_line(path, bad, badlen);
		goto out;
	}
	tr->pid = v->n[VMI_TR_PID];
	tr->address = v->n[VMI_TR_ADDRESS];
	tr->paging_levels = v->n[VMI_TR_PAGING_LEVELS];
	tr->have_vma_offset = v->have[VMI_TR_VMA_OFFSET];
	tr->vma_offset = v->n[VMI_TR_VMA_OFFSET];
	if (v->have[VMI_TR_STOP])
		snprintf(tr->stop, sizeof(tr->stop), "%s", v->s[VMI_TR_STOP]);
	tr->page_size = v->n[VMI_TR_PAGE_SIZE];
	tr->page_offset = v->n[VMI_TR_PAGE_OFFSET];
	tr->have_phys = v->have[VMI_TR_PHYS];
	tr->phys = v->n[VMI_TR_PHYS];
	if (v->have[VMI_TR_MIGRATION])
		snprintf(tr->migration, sizeof(tr->migration), "%s",
			 v->s[VMI_TR_MIGRATION]);
out:
	free(v);
	free(a);
	return ret;
}

int vmv_parse_translate(char *buf, const char *path, struct vmv_translate *tr)
{
	char *body;
	int ret;

	memset(tr, 0, sizeof(*tr));
	ret = check_version(buf, VMI_PROC_TRANSLATE, path, &body);
	if (ret)
		return ret;
	return parse_translate(body, path, tr);
}

int vmv_translate_text(pid_t pid, uint64_t addr, char **text)
{
	char rel[64], path[512], req[32], *buf;
	size_t cap = 8192, n = 0;
	ssize_t r;
	int fd, ret;

	snprintf(rel, sizeof(rel), "%d/%s", pid, VMI_PROC_TRANSLATE);
	snprintf(path, sizeof(path), "%s/%s", vmv_proc_root(), rel);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(req, sizeof(req), "0x%llx\n", (unsigned long long)addr);
	r = write(fd, req, strlen(req));
	if (r < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	lseek(fd, 0, SEEK_SET);
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (!r)
			break;
		n += r;
	}
	buf[n] = '\0';
	close(fd);
	*text = buf;
	return 0;
out:
	free(buf);
	close(fd);
	return ret;
}

int vmv_translate(pid_t pid, uint64_t addr, struct vmv_translate *tr)
{
	char path[512], *buf;
	int ret;

	if (source)
		return source->translate(pid, addr, tr);
	memset(tr, 0, sizeof(*tr));
	ret = vmv_translate_text(pid, addr, &buf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%d/%s", vmv_proc_root(), pid,
		 VMI_PROC_TRANSLATE);
	ret = vmv_parse_translate(buf, path, tr);
	free(buf);
	return ret;
}
