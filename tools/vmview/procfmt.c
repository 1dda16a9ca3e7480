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
static uint64_t read_max_ns;	/* longest read() of vmi_slurp() */

uint64_t vmi_read_max_ns(bool reset)
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

const char * const vmi_mm_key_names[VMI_MM_NR_KEYS] = {
	VMI_MM_KEYS(VMI_X_NAME)
};

static const char * const state_names[] = VMI_STATE_NAMES;
static const char * const attr_names[] = VMI_ATTR_NAMES;
static const char * const level_names[] = VMI_LEVEL_NAMES;

bool vmi_mm_key_is_addr(enum vmi_mm_key k)
{
	return k >= VMI_MM_MM && k <= VMI_MM_ENV_END;
}

const char *vmi_proc_root(void)
{
	const char *r = getenv("VMVIEW_PROCFS");

	return r && *r ? r : VMI_DEFAULT_ROOT;
}

const char *vmi_fmt_error(void)
{
	return fmt_err;
}

static const struct vmi_source *source;	/* NULL: the live files */

void vmi_set_source(const struct vmi_source *src)
{
	source = src;
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

char *vmi_slurp(const char *path, size_t *len)
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

int vmi_parse_size(const char *s, uint64_t *out)
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

/* The next token as a decimal number; -1 if missing or bad. */
static int tok_u64(char **p, uint64_t *v)
{
	char *t = next_tok(p);

	return t ? parse_u64(t, false, v) : -1;
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
 * Open @file (relative to the proc root, "PID/name" or "processes"), check
 * its version line "vminspect-@name M.m" and return the buffer and a
 * pointer to the line after the version line.
 */
static int read_versioned(const char *rel, const char *name, char **bufp,
			  char **body)
{
	char path[512], *buf, *nl, *p, *tag, *ver;
	unsigned int major, minor;
	char expect[64];

	snprintf(path, sizeof(path), "%s/%s", vmi_proc_root(), rel);
	buf = source ? source->read(rel) : vmi_slurp(path, NULL);
	if (!buf)
		return -errno;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	p = buf;
	tag = next_tok(&p);
	ver = next_tok(&p);
	snprintf(expect, sizeof(expect), "vminspect-%s", name);
	if (!tag || strcmp(tag, expect) || !ver ||
	    sscanf(ver, "%u.%u", &major, &minor) != 2) {
		free(buf);
		return fmt_fail("%s: no version line '%s %d.%d' (not a vminspect file?)",
				path, expect, VMI_FORMAT_MAJOR, VMI_FORMAT_MINOR);
	}
	if (major != VMI_FORMAT_MAJOR) {
		free(buf);
		return major_fail(path, major, minor);
	}
	*bufp = buf;
	*body = nl ? nl + 1 : buf + strlen(buf);
	return 0;
}

/* /proc/vminspect/PID/FILE, read and its version checked */
static int read_pid_file(pid_t pid, const char *file, char **buf,
			 char **body)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/%s", pid, file);
	return read_versioned(rel, file, buf, body);
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

int vmi_read_processes(struct vmi_proc **procs, size_t *nr)
{
	struct vmi_proc *arr = NULL, *pr;
	size_t n = 0, cap = 0;
	char *buf, *body, *line, *p, *t, *comm;
	uint64_t v;
	int ret, i;

	ret = read_versioned(VMI_PROC_PROCESSES, VMI_PROC_PROCESSES, &buf,
			     &body);
	if (ret)
		return ret;
	while ((line = next_line(&body))) {
		if (line[0] == '#' || !line[0])
			continue;
		ret = grow((void **)&arr, &cap, n, sizeof(*arr));
		if (ret)
			goto out;
		pr = &arr[n];
		p = line;
		/* pid vmas rss pgd p4d pud pmd pte pt_bytes comm */
		t = next_tok(&p);
		if (!t || parse_u64(t, false, &v))
			goto bad;
		pr->pid = v;
		if (tok_u64(&p, &pr->vmas) || tok_u64(&p, &pr->rss))
			goto bad;
		for (i = 0; i < VMI_NR_LEVELS; i++)
			if (tok_u64(&p, &pr->pt[i]))
				goto bad;
		if (tok_u64(&p, &pr->pt_bytes))
			goto bad;
		comm = rest_of_line(&p);
		snprintf(pr->comm, sizeof(pr->comm), "%s", comm ? comm : "");
		n++;
	}
	free(buf);
	*procs = arr;
	*nr = n;
	return 0;
bad:
	ret = fmt_fail("%s/%s: malformed line '%s'", vmi_proc_root(),
		       VMI_PROC_PROCESSES, line);
out:
	free(arr);
	free(buf);
	return ret;
}

int vmi_read_mm(pid_t pid, struct vmi_mm *mm)
{
	char *buf, *body, *line, *p, *k, *a, *b;
	uint64_t v;
	int ret, i;

	memset(mm, 0, sizeof(*mm));
	ret = read_pid_file(pid, VMI_PROC_MM, &buf, &body);
	if (ret)
		return ret;
	while ((line = next_line(&body))) {
		if (line[0] == '#' || !line[0])
			continue;
		p = line;
		k = next_tok(&p);
		if (!strcmp(k, "comm")) {
			a = rest_of_line(&p);
			snprintf(mm->comm, sizeof(mm->comm), "%s", a ? a : "");
			continue;
		}
		if (!strcmp(k, "state") || !strcmp(k, "attr")) {
			bool st = k[0] == 's';

			a = next_tok(&p);
			b = next_tok(&p);
			if (!a || !b || parse_u64(b, false, &v))
				goto bad;
			i = st ? name_index(a, state_names, VMI_NR_STATES) :
				 name_index(a, attr_names, VMI_NR_ATTRS);
			if (i < 0)
				continue;	/* unknown state: ignore */
			if (st)
				mm->state[i] = v;
			else
				mm->attr[i] = v;
			continue;
		}
		if (!strcmp(k, "census")) {
			struct vmi_census *c;
			char *f[5];
			int j;

			a = next_tok(&p);
			for (j = 0; j < 5; j++)
				f[j] = next_tok(&p);
			if (!a || !f[4])
				goto bad;
			i = name_index(a, level_names, VMI_NR_LEVELS);
			if (i < 0)
				continue;
			c = &mm->census[i];
			if (parse_u64(f[0], false, &c->tables) ||
			    parse_u64(f[1], false, &c->entries) ||
			    parse_u64(f[2], false, &c->capacity) ||
			    parse_u64(f[4], false, &c->bytes))
				goto bad;
			c->fill_pct = strtod(f[3], NULL);
			continue;
		}
		i = name_index(k, vmi_mm_key_names, VMI_MM_NR_KEYS);
		if (i < 0)
			continue;	/* a newer key: ignore */
		a = next_tok(&p);
		if (!a || parse_u64(a, false, &mm->key[i]))
			goto bad;
		mm->have[i] = true;
	}
	free(buf);
	return 0;
bad:
	ret = fmt_fail("%s/%d/%s: malformed line '%s'", vmi_proc_root(), pid,
		       VMI_PROC_MM, line);
	free(buf);
	return ret;
}

/* Columns of the vmas file we know, and where they go. */
enum vcol {
	VC_START, VC_END, VC_PERMS, VC_OFFSET, VC_DEV, VC_INODE,
	VC_STATE0, VC_ATTR0 = VC_STATE0 + VMI_NR_STATES,
	VC_TAB0 = VC_ATTR0 + VMI_NR_ATTRS,
	VC_FLAGS = VC_TAB0 + VMI_NR_VT, VC_PATH, VC_NR, VC_UNKNOWN = -1
};

static int vcol_of(const char *name)
{
	static const char * const fixed[] = {
		"start", "end", "perms", "offset", "dev", "inode",
	};
	static const char * const tabs[] = {
		"pud_tables", "pmd_tables", "pte_tables",
	};
	int i;

	i = name_index(name, fixed, 6);
	if (i >= 0)
		return i;
	i = name_index(name, state_names, VMI_NR_STATES);
	if (i >= 0)
		return VC_STATE0 + i;
	i = name_index(name, attr_names, VMI_NR_ATTRS);
	if (i >= 0)
		return VC_ATTR0 + i;
	i = name_index(name, tabs, VMI_NR_VT);
	if (i >= 0)
		return VC_TAB0 + i;
	if (!strcmp(name, "flags"))
		return VC_FLAGS;
	if (!strcmp(name, "path"))
		return VC_PATH;
	return VC_UNKNOWN;
}

static int vma_field(struct vmi_vma *v, int col, char *tok)
{
	switch (col) {
	case VC_START:
		return parse_u64(tok, true, &v->start);
	case VC_END:
		return parse_u64(tok, true, &v->end);
	case VC_PERMS:
		snprintf(v->perms, sizeof(v->perms), "%s", tok);
		return strlen(tok) == 4 ? 0 : -1;
	case VC_OFFSET:
		return parse_u64(tok, true, &v->offset);
	case VC_DEV:
		snprintf(v->dev, sizeof(v->dev), "%s", tok);
		return 0;
	case VC_INODE:
		return parse_u64(tok, false, &v->inode);
	case VC_FLAGS:
		v->flags = strdup(tok);
		return v->flags ? 0 : -1;
	case VC_PATH:
		v->path = strdup(tok);
		return v->path ? 0 : -1;
	case VC_UNKNOWN:
		return 0;
	}
	if (col >= VC_TAB0)
		return parse_u64(tok, false, &v->tables[col - VC_TAB0]);
	if (col >= VC_ATTR0)
		return parse_u64(tok, false, &v->attr[col - VC_ATTR0]);
	return parse_u64(tok, false, &v->state[col - VC_STATE0]);
}

void vmi_free_vmas(struct vmi_vma *vmas, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(vmas[i].flags);
		free(vmas[i].path);
	}
	free(vmas);
}

int vmi_read_vmas(pid_t pid, struct vmi_vma **vmasp, size_t *nrp)
{
	char *buf, *body, *line, *p, *t;
	int cols[64], ncols = 0, ret, i;
	struct vmi_vma *arr = NULL, *v;
	size_t n = 0, cap = 0;

	ret = read_pid_file(pid, VMI_PROC_VMAS, &buf, &body);
	if (ret)
		return ret;
	/* without a header: the documented order, which enum vcol follows */
	for (ncols = 0; ncols < VC_NR; ncols++)
		cols[ncols] = ncols;

	while ((line = next_line(&body))) {
		if (line[0] == '#') {
			/* the column header: learn the order from it */
			p = line + 1;
			ncols = 0;
			while ((t = next_tok(&p)) && ncols < 64)
				cols[ncols++] = vcol_of(t);
			continue;
		}
		if (!line[0])
			continue;
		ret = grow((void **)&arr, &cap, n, sizeof(*arr));
		if (ret)
			goto out;
		v = &arr[n++];
		p = line;
		for (i = 0; i < ncols; i++) {
			/* path is last and may hold spaces; absent for anon */
			if (cols[i] == VC_PATH && i == ncols - 1)
				t = rest_of_line(&p);
			else
				t = next_tok(&p);
			if (!t) {
				if (cols[i] == VC_PATH)
					break;
				goto bad;
			}
			if (vma_field(v, cols[i], t))
				goto bad;
		}
		if (v->end <= v->start)
			goto bad;
	}
	free(buf);
	*vmasp = arr;
	*nrp = n;
	return 0;
bad:
	ret = fmt_fail("%s/%d/%s: malformed line '%s'", vmi_proc_root(), pid,
		       VMI_PROC_VMAS, line);
out:
	vmi_free_vmas(arr, n);
	free(buf);
	return ret;
}

const struct vmi_vma *vmi_find_vma(const struct vmi_vma *vmas, size_t nr,
				   uint64_t addr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (addr >= vmas[i].start && addr < vmas[i].end)
			return &vmas[i];
	return NULL;
}

void vmi_free_pagetable(struct vmi_pagetable *pt)
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

int vmi_read_pagetable(pid_t pid, struct vmi_pagetable *pt)
{
	char *buf, *body, *line, *p, *t[7];
	size_t cap_v = 0, cap_r = 0;
	int ret, i;

	memset(pt, 0, sizeof(*pt));
	ret = read_pid_file(pid, VMI_PROC_PAGETABLE, &buf, &body);
	if (ret)
		return ret;
	while ((line = next_line(&body))) {
		if (line[0] == '#' || !line[0])
			continue;
		p = line;
		if (!strncmp(line, "vma ", 4)) {
			struct vmi_pt_vma *v;
			char *s;

			ret = grow((void **)&pt->vmas, &cap_v, pt->nr_vmas,
				   sizeof(*pt->vmas));
			if (ret)
				goto out;
			v = &pt->vmas[pt->nr_vmas++];
			next_tok(&p);
			for (i = 0; i < 3; i++)
				t[i] = next_tok(&p);
			if (!t[2] || parse_u64(t[0], true, &v->start) ||
			    parse_u64(t[1], true, &v->end))
				goto bad;
			snprintf(v->perms, sizeof(v->perms), "%s", t[2]);
			s = rest_of_line(&p);
			v->path = s ? strdup(s) : NULL;
			continue;
		}
		{
			struct vmi_pt_run *r;

			if (!pt->nr_vmas)
				goto bad;
			ret = grow((void **)&pt->runs, &cap_r, pt->nr_runs,
				   sizeof(*pt->runs));
			if (ret)
				goto out;
			r = &pt->runs[pt->nr_runs++];
			for (i = 0; i < 7; i++)
				t[i] = next_tok(&p);
			if (!t[6] || parse_u64(t[0], true, &r->start) ||
			    parse_u64(t[1], true, &r->end) ||
			    vmi_parse_size(t[2], &r->size))
				goto bad;
			snprintf(r->level, sizeof(r->level), "%s", t[3]);
			snprintf(r->state, sizeof(r->state), "%s", t[4]);
			r->flags = strdup(t[5]);
			r->phys = strdup(t[6]);
			r->vma = pt->nr_vmas - 1;
			if (!r->flags || !r->phys) {
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	free(buf);
	return 0;
bad:
	ret = fmt_fail("%s/%d/%s: malformed line '%s'", vmi_proc_root(), pid,
		       VMI_PROC_PAGETABLE, line);
out:
	vmi_free_pagetable(pt);
	free(buf);
	return ret;
}

static int parse_translate(char *body, const char *rel,
			   struct vmi_translate *tr)
{
	char *line, *p, *k, *a, *b, *c;
	uint64_t v;
	int i;

	while ((line = next_line(&body))) {
		if (line[0] == '#' || !line[0])
			continue;
		p = line;
		k = next_tok(&p);
		a = next_tok(&p);
		if (!a)
			goto bad;
		if (!strcmp(k, "level")) {
			struct vmi_tr_level *l;

			i = name_index(a, level_names, VMI_NR_LEVELS);
			if (i < 0)
				continue;
			l = &tr->level[i];
			l->present = true;
			b = next_tok(&p);
			if (b && !strcmp(b, "folded")) {
				l->folded = true;
				continue;
			}
			c = next_tok(&p);
			if (!b || !c || parse_u64(b, false, &v) ||
			    parse_u64(c, false, &l->entry))
				goto bad;
			l->index = v;
			b = next_tok(&p);
			snprintf(l->bits, sizeof(l->bits), "%s", b ? b : "");
		} else if (!strcmp(k, "vma")) {
			if (!strcmp(a, "none"))
				continue;
			b = next_tok(&p);
			c = next_tok(&p);
			if (!b || !c || parse_u64(a, true, &tr->vma_start) ||
			    parse_u64(b, true, &tr->vma_end))
				goto bad;
			snprintf(tr->vma_perms, sizeof(tr->vma_perms), "%s", c);
			tr->in_vma = true;
		} else if (!strcmp(k, "stop")) {
			snprintf(tr->stop, sizeof(tr->stop), "%s", a);
		} else if (!strcmp(k, "swap")) {
			b = next_tok(&p);
			if (!b || parse_u64(a, false, &tr->swap_type) ||
			    parse_u64(b, false, &tr->swap_offset))
				goto bad;
			tr->have_swap = true;
		} else if (!strcmp(k, "migration")) {
			snprintf(tr->migration, sizeof(tr->migration), "%s", a);
		} else if (!strcmp(k, "pid")) {
			if (parse_u64(a, false, &v))
				goto bad;
			tr->pid = v;
		} else if (!strcmp(k, "address")) {
			if (parse_u64(a, false, &tr->address))
				goto bad;
		} else if (!strcmp(k, "paging_levels")) {
			if (parse_u64(a, false, &v))
				goto bad;
			tr->paging_levels = v;
		} else if (!strcmp(k, "page_size")) {
			if (parse_u64(a, false, &tr->page_size))
				goto bad;
		} else if (!strcmp(k, "page_offset")) {
			if (parse_u64(a, false, &tr->page_offset))
				goto bad;
		} else if (!strcmp(k, "phys")) {
			tr->have_phys = true;
			if (strcmp(a, "-") && parse_u64(a, false, &tr->phys))
				goto bad;
		}
	}
	return 0;
bad:
	return fmt_fail("%s: malformed line '%s'", rel, line);
}

int vmi_parse_translate(char *buf, const char *path, struct vmi_translate *tr)
{
	char *body, *tag, *ver, *p;
	unsigned int major, minor;

	memset(tr, 0, sizeof(*tr));
	body = strchr(buf, '\n');
	if (body)
		*body++ = '\0';
	else
		body = buf + strlen(buf);
	p = buf;
	tag = next_tok(&p);
	ver = next_tok(&p);
	if (!tag || strcmp(tag, "vminspect-" VMI_PROC_TRANSLATE) || !ver ||
	    sscanf(ver, "%u.%u", &major, &minor) != 2)
		return fmt_fail("%s: no version line 'vminspect-translate %d.%d'",
				path, VMI_FORMAT_MAJOR, VMI_FORMAT_MINOR);
	if (major != VMI_FORMAT_MAJOR)
		return major_fail(path, major, minor);
	return parse_translate(body, path, tr);
}

int vmi_translate_text(pid_t pid, uint64_t addr, char **text)
{
	char rel[64], path[512], req[32], *buf;
	size_t cap = 8192, n = 0;
	ssize_t r;
	int fd, ret;

	snprintf(rel, sizeof(rel), "%d/%s", pid, VMI_PROC_TRANSLATE);
	snprintf(path, sizeof(path), "%s/%s", vmi_proc_root(), rel);
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

int vmi_translate(pid_t pid, uint64_t addr, struct vmi_translate *tr)
{
	char path[512], *buf;
	int ret;

	if (source)
		return source->translate(pid, addr, tr);
	memset(tr, 0, sizeof(*tr));
	ret = vmi_translate_text(pid, addr, &buf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%d/%s", vmi_proc_root(), pid,
		 VMI_PROC_TRANSLATE);
	ret = vmi_parse_translate(buf, path, tr);
	free(buf);
	return ret;
}
