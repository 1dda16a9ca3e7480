// SPDX-License-Identifier: GPL-2.0
/*
 * vmview translate PID ADDR: write ADDR to /proc/vminspect/PID/translate
 * and show the walk: the address's index bits drawn level by level (9 bits
 * per level, 12 bits of offset), each level's entry decoded, where the walk
 * stopped, the physical address, the VMA, and for a file-backed address the
 * ELF section and nearest symbol of the file (libelf: .symtab, else
 * .dynsym) at the file offset the VMA's start and offset give.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "procfmt.h"
#include "snapshot.h"
#include "vmview.h"

static const char * const level_names[] = VMI_LEVEL_NAMES;

/* What the backing file says about a file offset. */
struct elf_info {
	bool ok;
	char why[4096 + 128];	/* when !ok: a path and why */
	char section[64];
	bool have_vaddr;
	uint64_t vaddr;		/* link-time address of the offset */
	char symbol[256];
	uint64_t sym_value, sym_size;
	const char *table;	/* "symtab" or "dynsym" */
};

static void translate_help(FILE *f)
{
	fprintf(f,
		"Usage: %s translate PID ADDR [-j] [-p]\n"
		"\n"
		"Translate the virtual address ADDR (hex, 0x optional) of process PID the\n"
		"way the MMU does: the address split into a 9-bit index per page-table\n"
		"level and a 12-bit page offset, the entry read at each level and its\n"
		"bits, where the walk stopped (leaf at pud/pmd/pte, empty entry, swap)\n"
		"and the physical address (root only).  Also the VMA the address lies\n"
		"in and, when a file backs it, the ELF section and the nearest symbol.\n",
		vmv_bin_name);
}

static int parse_addr(const char *s, uint64_t *addr)
{
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*addr = strtoull(s, &end, 16);
	return errno || *end ? -1 : 0;
}

/* Shift of the lowest index bit of level l, 0 when the level is folded. */
static int level_shift(int l, unsigned int levels)
{
	if (l == VMI_LEVEL_P4D && levels < 5)
		return 0;
	if (l == VMI_LEVEL_PGD && levels < 5)
		return 39;
	return 12 + 9 * (VMI_LEVEL_PTE - l);
}

static unsigned int addr_index(uint64_t addr, int l, unsigned int levels)
{
	return (addr >> level_shift(l, levels)) & 511;
}

static void bits_str(uint64_t v, int hi, int lo, char *out)
{
	int b;

	for (b = hi; b >= lo; b--)
		*out++ = (v >> b) & 1 ? '1' : '0';
	*out = '\0';
}

static const char *level_col(int l)
{
	static const char * const cols[] = {
		C_RED, C_MAGENTA, C_YELLOW, C_GREEN, C_CYAN,
	};

	return l < VMI_NR_LEVELS ? cols[l] : C_BLUE;
}

static void draw_bits(uint64_t addr, unsigned int levels)
{
	char bits[16];
	int l, hi;

	printf("%11s", "");
	for (l = 0; l < VMI_NR_LEVELS; l++)
		if (level_shift(l, levels))
			printf(" %s%9s%s", vmv_col(level_col(l)), level_names[l],
			       vmv_col(C_RESET));
	printf(" %s%12s%s\n", vmv_col(C_BLUE), "offset", vmv_col(C_RESET));
	printf("%-11s", "  bits");
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		if (!level_shift(l, levels))
			continue;
		hi = level_shift(l, levels) + 8;
		snprintf(bits, sizeof(bits), "%d..%d", hi, hi - 8);
		printf(" %9s", bits);
	}
	printf(" %12s\n", "11..0");
	printf("%-11s", "  address");
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		if (!level_shift(l, levels))
			continue;
		bits_str(addr, level_shift(l, levels) + 8,
			 level_shift(l, levels), bits);
		printf(" %s%s%s", vmv_col(level_col(l)), bits, vmv_col(C_RESET));
	}
	bits_str(addr, 11, 0, bits);
	printf(" %s%s%s\n", vmv_col(C_BLUE), bits, vmv_col(C_RESET));
	printf("%-11s", "  index");
	for (l = 0; l < VMI_NR_LEVELS; l++)
		if (level_shift(l, levels))
			printf(" %9u", addr_index(addr, l, levels));
	printf(" %12s\n", "");
	snprintf(bits, sizeof(bits), "0x%03llx",
		 (unsigned long long)(addr & 0xfff));
	printf("%-11s", "");
	for (l = 0; l < VMI_NR_LEVELS; l++)
		if (level_shift(l, levels))
			printf(" %9s", "");
	printf(" %12s\n", bits);
}

/* The link-time address of file offset off, through the PT_LOAD headers. */
static bool elf_offset_vaddr(Elf *e, uint64_t off, uint64_t *vaddr)
{
	size_t n, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (off >= ph.p_offset && off < ph.p_offset + ph.p_filesz) {
			*vaddr = ph.p_vaddr + (off - ph.p_offset);
			return true;
		}
	}
	return false;
}

static bool elf_best_symbol(Elf *e, Elf64_Word type, uint64_t vaddr,
			    struct elf_info *ei)
{
	Elf_Scn *scn = NULL;
	bool found = false;
	GElf_Shdr sh;
	GElf_Sym sym;
	size_t i, n;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			const char *name;
			int st;

			if (!gelf_getsym(d, i, &sym))
				continue;
			st = GELF_ST_TYPE(sym.st_info);
			if (st != STT_FUNC && st != STT_OBJECT &&
			    st != STT_NOTYPE && st != STT_GNU_IFUNC)
				continue;
			if (sym.st_shndx == SHN_UNDEF || sym.st_value > vaddr)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || !*name || name[0] == '$')
				continue;
			/* nearest below; at a tie, the one with a size */
			if (found && (sym.st_value < ei->sym_value ||
				      (sym.st_value == ei->sym_value &&
				       (!sym.st_size || ei->sym_size))))
				continue;
			found = true;
			ei->sym_value = sym.st_value;
			ei->sym_size = sym.st_size;
			snprintf(ei->symbol, sizeof(ei->symbol), "%s", name);
		}
	}
	if (found)
		ei->table = type == SHT_SYMTAB ? "symtab" : "dynsym";
	return found;
}

static void elf_lookup(const struct vmv_translate *tr, uint64_t off,
		       struct elf_info *ei)
{
	const char *file = tr->vma_path;
	char path[4200];
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	memset(ei, 0, sizeof(*ei));
	/* the file as the target sees it, then the path as given */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", tr->pid,
		 (unsigned long long)tr->vma_start,
		 (unsigned long long)tr->vma_end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(ei->why, sizeof(ei->why), "cannot open %s: %s", file,
			 strerror(errno));
		return;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		snprintf(ei->why, sizeof(ei->why), "%s is not an ELF file",
			 file);
		goto out;
	}
	ei->ok = true;
	if (!elf_getshdrstrndx(e, &shstrndx)) {
		while ((scn = elf_nextscn(e, scn))) {
			const char *name;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
				continue;
			if (off < sh.sh_offset || off >= sh.sh_offset + sh.sh_size)
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			snprintf(ei->section, sizeof(ei->section), "%s",
				 name ? name : "?");
			break;
		}
	}
	ei->have_vaddr = elf_offset_vaddr(e, off, &ei->vaddr);
	if (ei->have_vaddr &&
	    !elf_best_symbol(e, SHT_SYMTAB, ei->vaddr, ei))
		elf_best_symbol(e, SHT_DYNSYM, ei->vaddr, ei);
out:
	if (e)
		elf_end(e);
	close(fd);
}

static void tr_json(const struct vmv_translate *tr, uint64_t file_off,
		    const struct elf_info *ei)
{
	struct json_object *o = json_object_new_object(), *lv, *x;
	unsigned int levels = tr->paging_levels;
	char bits[16];
	int l;

	json_object_object_add(o, "pid", json_object_new_int(tr->pid));
	json_object_object_add(o, "address", vmv_json_u64(tr->address));
	json_object_object_add(o, "paging_levels", vmv_json_u64(levels));
	lv = json_object_new_array();
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		const struct vmv_tr_level *t = &tr->level[l];

		x = json_object_new_object();
		json_object_object_add(x, "level",
				       json_object_new_string(level_names[l]));
		if (level_shift(l, levels)) {
			int idx = addr_index(tr->address, l, levels);

			json_object_object_add(x, "shift",
					       json_object_new_int(level_shift(l, levels)));
			bits_str(tr->address, level_shift(l, levels) + 8,
				 level_shift(l, levels), bits);
			json_object_object_add(x, "address_bits",
					       json_object_new_string(bits));
			json_object_object_add(x, "address_index",
					       json_object_new_int(idx));
		}
		json_object_object_add(x, "folded",
				       json_object_new_boolean(t->folded));
		json_object_object_add(x, "walked",
				       json_object_new_boolean(t->present &&
							       !t->folded));
		if (t->present && !t->folded) {
			json_object_object_add(x, "index",
					       json_object_new_int(t->index));
			json_object_object_add(x, "entry", vmv_json_u64(t->entry));
			json_object_object_add(x, "bits", vmv_json_list(t->bits));
		}
		json_object_array_add(lv, x);
	}
	json_object_object_add(o, "levels", lv);
	json_object_object_add(o, "stop", vmv_json_str(tr->stop));
	if (tr->have_phys) {
		json_object_object_add(o, "page_size", vmv_json_u64(tr->page_size));
		json_object_object_add(o, "page_offset",
				       vmv_json_u64(tr->page_offset));
		json_object_object_add(o, "phys", vmv_json_u64(tr->phys));
	}
	if (tr->have_swap) {
		x = json_object_new_object();
		json_object_object_add(x, "type", vmv_json_u64(tr->swap_type));
		json_object_object_add(x, "offset", vmv_json_u64(tr->swap_offset));
		json_object_object_add(o, "swap", x);
	}
	if (tr->migration[0])
		json_object_object_add(o, "migration",
				       vmv_json_str(tr->migration));
	x = NULL;
	if (tr->in_vma) {
		x = json_object_new_object();
		json_object_object_add(x, "start", vmv_json_u64(tr->vma_start));
		json_object_object_add(x, "end", vmv_json_u64(tr->vma_end));
		json_object_object_add(x, "perms", vmv_json_str(tr->vma_perms));
		json_object_object_add(x, "offset", tr->have_vma_offset ?
				       vmv_json_u64(tr->vma_offset) : NULL);
		json_object_object_add(x, "path", tr->vma_path[0] ?
				       vmv_json_str(tr->vma_path) : NULL);
	}
	json_object_object_add(o, "vma", x);
	x = NULL;
	if (ei) {
		x = json_object_new_object();
		json_object_object_add(x, "path", vmv_json_str(tr->vma_path));
		json_object_object_add(x, "offset", vmv_json_u64(file_off));
		if (ei->ok) {
			json_object_object_add(x, "section",
					       ei->section[0] ?
					       vmv_json_str(ei->section) : NULL);
			json_object_object_add(x, "elf_vaddr",
					       ei->have_vaddr ?
					       vmv_json_u64(ei->vaddr) : NULL);
			if (ei->symbol[0]) {
				json_object_object_add(x, "symbol",
						       vmv_json_str(ei->symbol));
				json_object_object_add(x, "symbol_offset",
						       vmv_json_u64(ei->vaddr - ei->sym_value));
				json_object_object_add(x, "symbol_size",
						       vmv_json_u64(ei->sym_size));
				json_object_object_add(x, "symbol_table",
						       vmv_json_str(ei->table));
			} else {
				json_object_object_add(x, "symbol", NULL);
			}
		} else {
			json_object_object_add(x, "error", vmv_json_str(ei->why));
		}
	}
	json_object_object_add(o, "file", x);
	vmv_json_print(o);
}

static const char *stop_words(const char *stop)
{
	if (!strcmp(stop, "leaf-pte"))
		return "a 4K page mapped by a pte";
	if (!strcmp(stop, "leaf-pmd"))
		return "a 2M huge page mapped by a pmd";
	if (!strcmp(stop, "leaf-pud"))
		return "a 1G huge page mapped by a pud";
	if (!strncmp(stop, "none-", 5))
		return "an empty entry: nothing mapped here (not cached)";
	if (!strcmp(stop, "swap"))
		return "a swap entry: the page is in swap (uncached)";
	if (!strcmp(stop, "migration"))
		return "a migration entry: the page is being moved";
	return "a special entry";
}

static void tr_plain(const struct vmv_translate *tr, uint64_t file_off,
		     const struct elf_info *ei)
{
	unsigned int levels = tr->paging_levels;
	char sz[16];
	int l;

	printf("%saddress 0x%016llx%s of process %d, %u-level paging\n\n",
	       vmv_col(C_BOLD), (unsigned long long)tr->address,
	       vmv_col(C_RESET), tr->pid, levels);
	draw_bits(tr->address, levels);

	printf("\n%s%-6s %5s  %-18s %s%s\n", vmv_col(C_BOLD), "level", "index",
	       "entry", "bits", vmv_col(C_RESET));
	for (l = 0; l < VMI_NR_LEVELS; l++) {
		const struct vmv_tr_level *t = &tr->level[l];

		if (!t->present)
			continue;
		if (t->folded) {
			printf("%s%-6s %5s  %-18s (folded into the pgd)%s\n",
			       vmv_col(C_DIM), level_names[l], "-", "-",
			       vmv_col(C_RESET));
			continue;
		}
		printf("%s%-6s%s %5u  0x%016llx %s\n", vmv_col(level_col(l)),
		       level_names[l], vmv_col(C_RESET), t->index,
		       (unsigned long long)t->entry, t->bits);
	}
	printf("\nstop      %s: %s\n", tr->stop, stop_words(tr->stop));
	if (tr->have_swap)
		printf("swap      type %llu offset 0x%llx\n",
		       (unsigned long long)tr->swap_type,
		       (unsigned long long)tr->swap_offset);
	if (tr->migration[0])
		printf("migration %s\n", tr->migration);
	if (tr->have_phys)
		printf("phys      0x%016llx (page %s, offset 0x%llx)%s\n",
		       (unsigned long long)tr->phys,
		       vmv_size(tr->page_size, sz, sizeof(sz)),
		       (unsigned long long)tr->page_offset,
		       tr->phys ? "" : "  [zero: physical addresses need root]");
	if (!tr->in_vma) {
		printf("vma       none: no VMA covers this address (unallocated)\n");
		return;
	}
	printf("vma       %016llx-%016llx %s %s\n",
	       (unsigned long long)tr->vma_start,
	       (unsigned long long)tr->vma_end, tr->vma_perms,
	       tr->vma_path[0] ? tr->vma_path : "(anonymous)");
	if (!ei)
		return;
	printf("file      %s offset 0x%llx\n", tr->vma_path,
	       (unsigned long long)file_off);
	if (!ei->ok) {
		printf("          (%s)\n", ei->why);
		return;
	}
	printf("section   %s\n", ei->section[0] ? ei->section : "(none)");
	if (ei->symbol[0])
		printf("symbol    %s%s%s+0x%llx%s (%s, size %llu)\n",
		       vmv_col(C_BOLD), ei->symbol, vmv_col(C_RESET),
		       (unsigned long long)(ei->vaddr - ei->sym_value),
		       ei->sym_size && ei->vaddr >= ei->sym_value + ei->sym_size ?
		       " [past its end]" : "", ei->table,
		       (unsigned long long)ei->sym_size);
	else
		printf("symbol    (none: no .symtab or .dynsym entry below 0x%llx)\n",
		       (unsigned long long)ei->vaddr);
}

int vmv_do_translate(int argc, char **argv)
{
	struct elf_info ei, *eip = NULL;
	struct vmv_translate tr;
	const char *arg, *astr;
	uint64_t addr, file_off = 0;
	pid_t pid;
	int ret;

	ret = vmv_parse_opts(argc, argv, NULL, NULL,
			     translate_help, NULL);
	if (ret >= 0)
		return ret;
	arg = vmv_operand(argc, argv, "PID");
	if (!arg)
		return VMV_EXIT_USAGE;
	ret = vmv_parse_target(arg, &pid);	/* a pid or a snapshot */
	if (ret >= 0)
		return ret;
	astr = vmv_operand(argc, argv, "ADDR");
	if (!astr)
		return VMV_EXIT_USAGE;
	if (parse_addr(astr, &addr))
		return vmv_usage("'%s' is not an address (hex, 0x optional)", astr);
	ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;

	ret = vmv_translate(pid, addr, &tr);
	if (ret == -EINVAL) {
		vmv_err("0x%llx is not a user-space address of process %d",
			(unsigned long long)addr, pid);
		return VMV_EXIT_ERR;
	}
	if (ret)
		return vmv_proc_error(ret, pid, VMI_PROC_TRANSLATE);
	if (!tr.pid)
		tr.pid = pid;
	if (!tr.address)
		tr.address = addr;
	/* the VMA's offset and path come with the walk (format 1.3) */
	if (tr.in_vma && tr.have_vma_offset && tr.vma_path[0] == '/') {
		file_off = addr - tr.vma_start + tr.vma_offset;
		memset(&ei, 0, sizeof(ei));
		/* a snapshot's files are on the machine it was taken on */
		if (vmv_snap_active())
			snprintf(ei.why, sizeof(ei.why),
				 "not looked up: read from a snapshot");
		else
			elf_lookup(&tr, file_off, &ei);
		eip = &ei;
	}
	if (vmv_json_output)
		tr_json(&tr, file_off, eip);
	else
		tr_plain(&tr, file_off, eip);
	return VMV_EXIT_OK;
}
