/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vminspect ABI: the one header shared by the module, the BPF programs and
 * vmview.  Format versions, /proc names, and the names of page states,
 * page-table levels and probe counters live here and nowhere else.
 *
 * Each enum of names has a matching VMI_*_NAMES initializer; users write
 * "static const char * const names[] = VMI_STATE_NAMES;".  The keys and
 * columns of every file are tables below (VMI_MM_KEYS, VMI_VMAS_COLS...).
 */
#ifndef _VMINSPECT_ABI_H
#define _VMINSPECT_ABI_H

/*
 * First line of every /proc/vminspect file:
 *   "vminspect-<file> <major>.<minor>"
 * A new key or column bumps the minor; a changed meaning bumps the major,
 * and readers refuse a major they do not know.
 */
#define VMI_FORMAT_MAJOR	1
#define VMI_FORMAT_MINOR	4

#define VMI_PROC_DIR		"vminspect"
/* the type of the file system mounted there (mount -t) */
#define VMI_FS_TYPE		"vminspect"
#define VMI_FS_MAGIC		0x766d6966	/* statfs()'s f_type: "vmif" */
#define VMI_PROC_PROCESSES	"processes"
#define VMI_PROC_MM		"mm"
#define VMI_PROC_VMAS		"vmas"
#define VMI_PROC_PAGETABLE	"pagetable"
#define VMI_PROC_TRANSLATE	"translate"

/*
 * The formats' keys and columns, each declared once: X-macro tables from
 * which the module prints, vmview parses, the selftests take their names
 * and tools/test-abi-doc.sh checks Documentation/proc-vminspect.rst.
 * Every entry is
 *
 *   X(P, ID, name, type, unit, priv, since)
 *
 *   P, ID   the enum constant VMI_<P>_<ID>, its index in the table
 *   name    as the file prints it
 *   type    how the value is printed and must be parsed (VMI_T_<type>)
 *   unit    what it counts (VMI_U_<unit>)
 *   priv    who sees the real value (VMI_P_<priv>); others read 0 or -
 *   since   the format minor that added it
 *
 * In order: a key-value file prints its keys in table order, a columns
 * file prints a header line "# [TAG] NAME..." from its table.  A new
 * key or column is one entry here (for columns before the closing flags
 * and path, which end the line), its printer's value in the module, and
 * its line in the documentation; readers find columns by the header.
 */
enum vmi_type {
	VMI_T_DEC,	/* decimal */
	VMI_T_HEX,	/* "0x" and 16 hex digits */
	VMI_T_XNUM,	/* "0x" and hex digits, no padding */
	VMI_T_ADDR,	/* 16 hex digits, no prefix (address columns) */
	VMI_T_OFF,	/* 8 or more hex digits, no prefix (maps' offset) */
	VMI_T_DEV,	/* "MM:mm" in hex, as maps */
	VMI_T_PCT,	/* decimal with two decimals: "6.28" */
	VMI_T_SIZE,	/* decimal and a unit K, M or G: "4K", "2M" */
	VMI_T_WORD,	/* a word without blanks: a name, perms, flags, "-" */
	VMI_T_TEXT,	/* the rest of the line: an escaped name or path, or none */
	VMI_T_GROUP,	/* a line "KEY NAME N" per name of a names table */
	VMI_T_ROW,	/* a line "KEY COLUMN...", columns in their own table */
	VMI_NR_TYPES
};

enum vmi_unit {
	VMI_U_NONE,	/* a name, an id, a word */
	VMI_U_COUNT,	/* a number of things */
	VMI_U_PAGES,	/* base pages (4 KiB on x86-64) */
	VMI_U_BYTES,
	VMI_U_TABLES,	/* page-table pages */
	VMI_U_ENTRIES,	/* page-table entries */
	VMI_U_PCT,	/* percent */
	VMI_U_ADDR,	/* a user virtual address */
	VMI_U_KADDR,	/* a kernel address */
	VMI_U_PHYS,	/* a physical address */
	VMI_U_ENTRY,	/* a raw page-table entry */
	VMI_NR_UNITS
};

enum vmi_priv {
	VMI_P_ALL,	/* every reader that may open the file */
	VMI_P_ADMIN,	/* CAP_SYS_ADMIN (initial user ns): frames, swap offsets */
	VMI_P_KPTR,	/* as %pK prints it for the opener (kptr_restrict) */
	VMI_P_AD,	/* accessed/dirty bits: the process itself or CAP_SYS_ADMIN */
	VMI_NR_PRIVS
};

/* What the tables' entries become. */
struct vmi_field {
	const char *name;
	unsigned char type;	/* enum vmi_type */
	unsigned char unit;	/* enum vmi_unit */
	unsigned char priv;	/* enum vmi_priv */
	unsigned char since;	/* format minor */
};

#define VMI_X_ENUM(P, ID, name, t, u, p, s)	VMI_##P##_##ID,
#define VMI_X_NAME(P, ID, name, t, u, p, s)			\
	[VMI_##P##_##ID] = name,
#define VMI_X_FIELD(P, ID, name, t, u, p, s)			\
	[VMI_##P##_##ID] = { name, VMI_T_##t, VMI_U_##u, VMI_P_##p, s },

/* Page-table levels, top down.  P4D is folded into PGD on 4-level paging. */
#define VMI_LEVEL_TABLE(X, P)				\
	X(P, PGD, "pgd", DEC, TABLES, ALL, 0)		\
	X(P, P4D, "p4d", DEC, TABLES, ALL, 0)		\
	X(P, PUD, "pud", DEC, TABLES, ALL, 0)		\
	X(P, PMD, "pmd", DEC, TABLES, ALL, 0)		\
	X(P, PTE, "pte", DEC, TABLES, ALL, 0)

enum vmi_level {
	VMI_LEVEL_TABLE(VMI_X_ENUM, LEVEL)
	VMI_NR_LEVELS
};

#define VMI_LEVEL_NAMES { VMI_LEVEL_TABLE(VMI_X_NAME, LEVEL) }

/*
 * What a virtual page is, as the page tables say (the three states of the
 * background articles, refined):
 *   present    mapped to a page frame ("cached")
 *   swap       a swap entry: the data is in swap ("uncached")
 *   migration  a migration entry: the page is being moved
 *   special    another non-present entry: device-private/exclusive,
 *              hwpoison, or a PTE marker (uffd-wp, swapin error)
 *   file       no entry in a file-backed VMA: the data is in the file
 *              ("uncached"; it may or may not be in the page cache)
 *   untouched  no entry in an anonymous VMA: never touched, or dropped
 * A page outside every VMA is the articles' "unallocated" state.
 */
#define VMI_STATE_TABLE(X, P)					\
	X(P, PRESENT, "present", DEC, PAGES, ALL, 0)		\
	X(P, SWAP, "swap", DEC, PAGES, ALL, 0)			\
	X(P, MIGRATION, "migration", DEC, PAGES, ALL, 0)	\
	X(P, SPECIAL, "special", DEC, PAGES, ALL, 0)		\
	X(P, FILE, "file", DEC, PAGES, ALL, 0)			\
	X(P, UNTOUCHED, "untouched", DEC, PAGES, ALL, 0)

enum vmi_state {
	VMI_STATE_TABLE(VMI_X_ENUM, STATE)
	VMI_NR_STATES
};

#define VMI_STATE_NAMES { VMI_STATE_TABLE(VMI_X_NAME, STATE) }

/*
 * Attributes counted over present pages, in pages:
 *   huge_pmd / huge_pud  mapped by a PMD (2M) / PUD (1G) leaf entry
 *   dirty, young, writable  the hardware bits of the mapping entry
 *   cow        read-only in a private writable VMA: the next write faults
 *              and copies (copy-on-write after fork, or the zero page)
 *   nopage     mapped without a refcounted page (zero page, PFN maps);
 *              the kernel leaves these out of RSS
 */
#define VMI_ATTR_TABLE(X, P)					\
	X(P, HUGE_PMD, "huge_pmd", DEC, PAGES, ALL, 0)		\
	X(P, HUGE_PUD, "huge_pud", DEC, PAGES, ALL, 0)		\
	X(P, DIRTY, "dirty", DEC, PAGES, ALL, 0)		\
	X(P, YOUNG, "young", DEC, PAGES, ALL, 0)		\
	X(P, WRITABLE, "writable", DEC, PAGES, ALL, 0)		\
	X(P, COW, "cow", DEC, PAGES, ALL, 0)			\
	X(P, NOPAGE, "nopage", DEC, PAGES, ALL, 0)

enum vmi_attr {
	VMI_ATTR_TABLE(VMI_X_ENUM, ATTR)
	VMI_NR_ATTRS
};

#define VMI_ATTR_NAMES { VMI_ATTR_TABLE(VMI_X_NAME, ATTR) }

/*
 * Present pages mapped by PTEs, by the size of the folio they belong to:
 * pte_4k a small page, pte_8k to pte_2m a large folio (mTHP, a
 * PTE-mapped THP, a large page-cache folio) of that size, pte_big larger.
 * A PFN map without a struct page counts as pte_4k.  Pages mapped by a
 * PMD or PUD leaf are huge_pmd and huge_pud (VMI_ATTR_TABLE), not here.
 * The index of a size is its folio order (pte_big: order 10 and up).
 */
#define VMI_FOLIO_TABLE(X, P)					\
	X(P, 4K, "pte_4k", DEC, PAGES, ALL, 4)			\
	X(P, 8K, "pte_8k", DEC, PAGES, ALL, 4)			\
	X(P, 16K, "pte_16k", DEC, PAGES, ALL, 4)		\
	X(P, 32K, "pte_32k", DEC, PAGES, ALL, 4)		\
	X(P, 64K, "pte_64k", DEC, PAGES, ALL, 4)		\
	X(P, 128K, "pte_128k", DEC, PAGES, ALL, 4)		\
	X(P, 256K, "pte_256k", DEC, PAGES, ALL, 4)		\
	X(P, 512K, "pte_512k", DEC, PAGES, ALL, 4)		\
	X(P, 1M, "pte_1m", DEC, PAGES, ALL, 4)			\
	X(P, 2M, "pte_2m", DEC, PAGES, ALL, 4)			\
	X(P, BIG, "pte_big", DEC, PAGES, ALL, 4)

enum vmi_folio {
	VMI_FOLIO_TABLE(VMI_X_ENUM, FOLIO)
	VMI_NR_FOLIOS
};

#define VMI_FOLIO_NAMES { VMI_FOLIO_TABLE(VMI_X_NAME, FOLIO) }

/*
 * Occupancy: page tables by how many of their entries are in use, e0
 * (an empty table: allocated, nothing mapped through it, what the
 * kernel's PT_RECLAIM frees) to e512 (full; 512 entries per table at every
 * level on x86-64).
 */
#define VMI_OCC_TABLE(X, P)					\
	X(P, E0, "e0", DEC, TABLES, ALL, 4)			\
	X(P, E1, "e1", DEC, TABLES, ALL, 4)			\
	X(P, E2_8, "e2_8", DEC, TABLES, ALL, 4)			\
	X(P, E9_64, "e9_64", DEC, TABLES, ALL, 4)		\
	X(P, E65_256, "e65_256", DEC, TABLES, ALL, 4)		\
	X(P, E257_511, "e257_511", DEC, TABLES, ALL, 4)		\
	X(P, E512, "e512", DEC, TABLES, ALL, 4)

enum vmi_occ {
	VMI_OCC_TABLE(VMI_X_ENUM, OCC)
	VMI_NR_OCCS
};

/*
 * The kind of a VMA (vmas' "kind"), as the kernel's THP code tells them
 * apart: anonymous memory, shmem (tmpfs, memfd, SysV shm, shared
 * anonymous), another file, hugetlbfs, or special: a driver's PFN, IO or
 * mixed map, or a kernel mapping without a file ([vdso], [vvar]).
 */
#define VMI_KIND_TABLE(X, P)					\
	X(P, ANON, "anon", WORD, NONE, ALL, 4)			\
	X(P, SHMEM, "shmem", WORD, NONE, ALL, 4)		\
	X(P, FILE, "file", WORD, NONE, ALL, 4)			\
	X(P, HUGETLB, "hugetlb", WORD, NONE, ALL, 4)		\
	X(P, SPECIAL, "special", WORD, NONE, ALL, 4)

enum vmi_kind {
	VMI_KIND_TABLE(VMI_X_ENUM, KIND)
	VMI_NR_KINDS
};

#define VMI_KIND_NAMES { VMI_KIND_TABLE(VMI_X_NAME, KIND) }

/*
 * mm's "thp_disabled": what prctl(PR_SET_THP_DISABLE) set for the process
 * (the kernel's MMF_DISABLE_THP flags): no, all, or except_advised (7.3's
 * PR_THP_DISABLE_EXCEPT_ADVISED: THP only where madvise(MADV_HUGEPAGE)).
 */
#define VMI_THPOFF_TABLE(X, P)					\
	X(P, NO, "no", WORD, NONE, ALL, 4)			\
	X(P, ALL, "all", WORD, NONE, ALL, 4)			\
	X(P, EXCEPT_ADVISED, "except_advised", WORD, NONE, ALL, 4)

enum vmi_thpoff {
	VMI_THPOFF_TABLE(VMI_X_ENUM, THPOFF)
	VMI_NR_THPOFFS
};

#define VMI_THPOFF_NAMES { VMI_THPOFF_TABLE(VMI_X_NAME, THPOFF) }

/* /proc/vminspect/processes: columns, one line per process. */
#define VMI_PS_COLS(X)						\
	X(PS, PID, "pid", DEC, NONE, ALL, 0)			\
	X(PS, VMAS, "vmas", DEC, COUNT, ALL, 0)			\
	X(PS, RSS, "rss", DEC, PAGES, ALL, 0)			\
	VMI_LEVEL_TABLE(X, PS)					\
	X(PS, PT_BYTES, "pt_bytes", DEC, BYTES, ALL, 0)		\
	X(PS, COMM, "comm", TEXT, NONE, ALL, 0)

enum vmi_ps_col { VMI_PS_COLS(VMI_X_ENUM) VMI_PS_NR_COLS };

/* /proc/vminspect/<pid>/mm: "key value" lines. */
#define VMI_MM_KEYS(X)						\
	X(MM, PID, "pid", DEC, NONE, ALL, 0)			\
	X(MM, COMM, "comm", TEXT, NONE, ALL, 0)			\
	X(MM, PAGING_LEVELS, "paging_levels", DEC, COUNT, ALL, 0) \
	X(MM, MM, "mm", HEX, KADDR, KPTR, 0)			\
	X(MM, PGD, "pgd", HEX, KADDR, KPTR, 0)			\
	X(MM, TASK_SIZE, "task_size", HEX, ADDR, ALL, 0)	\
	X(MM, MMAP_BASE, "mmap_base", HEX, ADDR, ALL, 0)	\
	X(MM, START_CODE, "start_code", HEX, ADDR, ALL, 0)	\
	X(MM, END_CODE, "end_code", HEX, ADDR, ALL, 0)		\
	X(MM, START_DATA, "start_data", HEX, ADDR, ALL, 0)	\
	X(MM, END_DATA, "end_data", HEX, ADDR, ALL, 0)		\
	X(MM, START_BRK, "start_brk", HEX, ADDR, ALL, 0)	\
	X(MM, BRK, "brk", HEX, ADDR, ALL, 0)			\
	X(MM, START_STACK, "start_stack", HEX, ADDR, ALL, 0)	\
	X(MM, ARG_START, "arg_start", HEX, ADDR, ALL, 0)	\
	X(MM, ARG_END, "arg_end", HEX, ADDR, ALL, 0)		\
	X(MM, ENV_START, "env_start", HEX, ADDR, ALL, 0)	\
	X(MM, ENV_END, "env_end", HEX, ADDR, ALL, 0)		\
	X(MM, MAP_COUNT, "map_count", DEC, COUNT, ALL, 0)	\
	X(MM, TOTAL_VM, "total_vm", DEC, PAGES, ALL, 0)		\
	X(MM, LOCKED_VM, "locked_vm", DEC, PAGES, ALL, 0)	\
	X(MM, PINNED_VM, "pinned_vm", DEC, PAGES, ALL, 0)	\
	X(MM, DATA_VM, "data_vm", DEC, PAGES, ALL, 0)		\
	X(MM, EXEC_VM, "exec_vm", DEC, PAGES, ALL, 0)		\
	X(MM, STACK_VM, "stack_vm", DEC, PAGES, ALL, 0)		\
	X(MM, HIWATER_RSS, "hiwater_rss", DEC, PAGES, ALL, 0)	\
	X(MM, HIWATER_VM, "hiwater_vm", DEC, PAGES, ALL, 0)	\
	X(MM, RSS_ANON, "rss_anon", DEC, PAGES, ALL, 0)		\
	X(MM, RSS_FILE, "rss_file", DEC, PAGES, ALL, 0)		\
	X(MM, RSS_SHMEM, "rss_shmem", DEC, PAGES, ALL, 0)	\
	X(MM, SWAP_ENTS, "swap_ents", DEC, PAGES, ALL, 0)	\
	X(MM, PGTABLES_BYTES, "pgtables_bytes", DEC, BYTES, ALL, 0) \
	X(MM, STATE, "state", GROUP, PAGES, ALL, 0)		\
	X(MM, ATTR, "attr", GROUP, PAGES, ALL, 0)		\
	X(MM, DEPOSITED_PTE_TABLES, "deposited_pte_tables", DEC, TABLES, ALL, 0) \
	X(MM, CENSUS, "census", ROW, NONE, ALL, 0)		\
	X(MM, PT_RESIDENT_PCT, "pt_resident_pct", PCT, PCT, ALL, 4) \
	X(MM, THP_DISABLED, "thp_disabled", WORD, NONE, ALL, 4)	\
	X(MM, MAPPED, "mapped", GROUP, PAGES, ALL, 4)		\
	X(MM, OCCUPANCY, "occupancy", ROW, NONE, ALL, 4)	\
	X(MM, PT_NODE, "pt_node", ROW, NONE, ALL, 4)

enum vmi_mm_key { VMI_MM_KEYS(VMI_X_ENUM) VMI_MM_NR_KEYS };

/* mm's "census" lines, one per level (VMI_MM_CENSUS). */
#define VMI_CENSUS_COLS(X)					\
	X(CENSUS, LEVEL, "level", WORD, NONE, ALL, 0)		\
	X(CENSUS, TABLES, "tables", DEC, TABLES, ALL, 0)	\
	X(CENSUS, ENTRIES, "entries", DEC, ENTRIES, ALL, 0)	\
	X(CENSUS, CAPACITY, "capacity", DEC, ENTRIES, ALL, 0)	\
	X(CENSUS, FILL_PCT, "fill_pct", PCT, PCT, ALL, 0)	\
	X(CENSUS, BYTES, "bytes", DEC, BYTES, ALL, 0)		\
	X(CENSUS, REMOTE, "remote", DEC, TABLES, ALL, 4)

enum vmi_census_col { VMI_CENSUS_COLS(VMI_X_ENUM) VMI_CENSUS_NR_COLS };

/* mm's "occupancy" lines, one per level (VMI_MM_OCCUPANCY). */
#define VMI_OCCROW_COLS(X)					\
	X(OCCROW, LEVEL, "level", WORD, NONE, ALL, 4)		\
	VMI_OCC_TABLE(X, OCCROW)

enum vmi_occrow_col { VMI_OCCROW_COLS(VMI_X_ENUM) VMI_OCCROW_NR_COLS };

/*
 * mm's "pt_node" lines (VMI_MM_PT_NODE): per level and NUMA node, the
 * page tables on that node, how many of them are remote (most of the data
 * pages mapped through them are on other nodes), the data pages mapped
 * through them and how many of those are on the same node.
 */
#define VMI_PTNODE_COLS(X)					\
	X(PTNODE, LEVEL, "level", WORD, NONE, ALL, 4)		\
	X(PTNODE, NODE, "node", DEC, NONE, ALL, 4)		\
	X(PTNODE, TABLES, "tables", DEC, TABLES, ALL, 4)	\
	X(PTNODE, REMOTE, "remote", DEC, TABLES, ALL, 4)	\
	X(PTNODE, DATA, "data", DEC, PAGES, ALL, 4)		\
	X(PTNODE, LOCAL, "local", DEC, PAGES, ALL, 4)

enum vmi_ptnode_col { VMI_PTNODE_COLS(VMI_X_ENUM) VMI_PTNODE_NR_COLS };

/* /proc/vminspect/<pid>/vmas: columns, one line per VMA. */
#define VMI_VMAS_COLS(X)					\
	X(VMAS, START, "start", ADDR, ADDR, ALL, 0)		\
	X(VMAS, END, "end", ADDR, ADDR, ALL, 0)			\
	X(VMAS, PERMS, "perms", WORD, NONE, ALL, 0)		\
	X(VMAS, OFFSET, "offset", OFF, BYTES, ALL, 0)		\
	X(VMAS, DEV, "dev", DEV, NONE, ALL, 0)			\
	X(VMAS, INODE, "inode", DEC, NONE, ALL, 0)		\
	VMI_STATE_TABLE(X, VMAS)				\
	VMI_ATTR_TABLE(X, VMAS)					\
	X(VMAS, PUD_TABLES, "pud_tables", DEC, TABLES, ALL, 0)	\
	X(VMAS, PMD_TABLES, "pmd_tables", DEC, TABLES, ALL, 0)	\
	X(VMAS, PTE_TABLES, "pte_tables", DEC, TABLES, ALL, 0)	\
	X(VMAS, KIND, "kind", WORD, NONE, ALL, 4)		\
	VMI_FOLIO_TABLE(X, VMAS)				\
	X(VMAS, PTE_EMPTY, "pte_empty", DEC, TABLES, ALL, 4)	\
	X(VMAS, PTE_REMOTE, "pte_remote", DEC, TABLES, ALL, 4)	\
	X(VMAS, PMD_SLOTS, "pmd_slots", DEC, COUNT, ALL, 4)	\
	X(VMAS, SLOT_NONE, "slot_none", DEC, ENTRIES, ALL, 4)	\
	X(VMAS, SLOT_SWAP, "slot_swap", DEC, ENTRIES, ALL, 4)	\
	X(VMAS, SLOT_SHARED, "slot_shared", DEC, ENTRIES, ALL, 4) \
	X(VMAS, FLAGS, "flags", WORD, NONE, ALL, 0)		\
	X(VMAS, PATH, "path", TEXT, NONE, ALL, 0)

enum vmi_vmas_col { VMI_VMAS_COLS(VMI_X_ENUM) VMI_VMAS_NR_COLS };

/*
 * A "vma" line of pagetable (before the VMA's runs) and of translate (the
 * VMA of the address, or "vma none"): the VMA as maps shows it.
 */
#define VMI_VMAROW_COLS(X)					\
	X(VMAROW, START, "start", ADDR, ADDR, ALL, 0)		\
	X(VMAROW, END, "end", ADDR, ADDR, ALL, 0)		\
	X(VMAROW, PERMS, "perms", WORD, NONE, ALL, 0)		\
	X(VMAROW, PATH, "path", TEXT, NONE, ALL, 0)

enum vmi_vmarow_col { VMI_VMAROW_COLS(VMI_X_ENUM) VMI_VMAROW_NR_COLS };

#define VMI_VMAROW_TAG		"vma"

/* /proc/vminspect/<pid>/pagetable: columns, one line per run. */
#define VMI_PT_COLS(X)						\
	X(PT, START, "start", ADDR, ADDR, ALL, 0)		\
	X(PT, END, "end", ADDR, ADDR, ALL, 0)			\
	X(PT, SIZE, "size", SIZE, BYTES, ALL, 0)		\
	X(PT, LEVEL, "level", WORD, NONE, ALL, 0)		\
	X(PT, STATE, "state", WORD, NONE, ALL, 0)		\
	X(PT, FLAGS, "flags", WORD, NONE, AD, 0)		\
	X(PT, PHYS, "phys", WORD, PHYS, ADMIN, 0)

enum vmi_pt_col { VMI_PT_COLS(VMI_X_ENUM) VMI_PT_NR_COLS };

/*
 * /proc/vminspect/<pid>/translate: "key value" lines, in this order, each
 * when it applies (see the documentation).
 */
#define VMI_TR_KEYS(X)						\
	X(TR, PID, "pid", DEC, NONE, ALL, 0)			\
	X(TR, ADDRESS, "address", HEX, ADDR, ALL, 0)		\
	X(TR, PAGING_LEVELS, "paging_levels", DEC, COUNT, ALL, 0) \
	X(TR, VMA, "vma", ROW, NONE, ALL, 0)			\
	X(TR, VMA_OFFSET, "vma_offset", HEX, BYTES, ALL, 3)	\
	X(TR, LEVEL, "level", ROW, NONE, ALL, 0)		\
	X(TR, STOP, "stop", WORD, NONE, ALL, 0)			\
	X(TR, PAGE_SIZE, "page_size", DEC, BYTES, ALL, 0)	\
	X(TR, PAGE_OFFSET, "page_offset", XNUM, BYTES, ALL, 0)	\
	X(TR, PHYS, "phys", HEX, PHYS, ADMIN, 0)		\
	X(TR, SWAP, "swap", ROW, NONE, ALL, 0)			\
	X(TR, MIGRATION, "migration", WORD, NONE, ALL, 0)

enum vmi_tr_key { VMI_TR_KEYS(VMI_X_ENUM) VMI_TR_NR_KEYS };

/* translate's "level" lines, one per level walked ("level p4d folded"). */
#define VMI_TRLEVEL_COLS(X)					\
	X(TRLEVEL, NAME, "name", WORD, NONE, ALL, 0)		\
	X(TRLEVEL, INDEX, "index", DEC, NONE, ALL, 0)		\
	X(TRLEVEL, ENTRY, "entry", HEX, ENTRY, ADMIN, 0)	\
	X(TRLEVEL, BITS, "bits", WORD, NONE, AD, 0)

enum vmi_trlevel_col { VMI_TRLEVEL_COLS(VMI_X_ENUM) VMI_TRLEVEL_NR_COLS };

/* translate's "swap TYPE 0xOFFSET" line. */
#define VMI_TRSWAP_COLS(X)					\
	X(TRSWAP, TYPE, "type", DEC, NONE, ALL, 0)		\
	X(TRSWAP, OFFSET, "offset", XNUM, NONE, ADMIN, 0)

enum vmi_trswap_col { VMI_TRSWAP_COLS(VMI_X_ENUM) VMI_TRSWAP_NR_COLS };

/*
 * eBPF probes (bpf/vmi_probes.bpf.c, Documentation/probes.rst): per
 * thread group (tgid of the initial pid namespace) counters of page faults
 * and TLB flushes, pinned under VMI_BPF_PIN_DIR by "vmview probe start".
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VMI_BPF_PIN_DIR		"/sys/fs/bpf/vminspect"
#define VMI_BPF_MAP_COUNTS	"counts"	/* hash: tgid -> vmi_tgid_counts */
#define VMI_BPF_MAP_VMAS	"vma_faults"	/* LRU hash: vmi_vma_key -> vmi_vma_faults */
#define VMI_BPF_MAP_GLOBAL	"global"	/* per-CPU array [0]: vmi_global */
#define VMI_BPF_MAP_CACHE	"fault_cache"	/* per-CPU array [0]: vmi_fault_cache */
/*
 * The task iterator that gives the kernel's own fault counts of the
 * processes started after "probe start" (struct vmi_task_flt): reading
 * its pinned link runs it.
 */
#define VMI_BPF_LINK_TASK_FLT	"vmi_task_flt"

/*
 * Fault counters.  MINOR and MAJOR count exactly what mm_account_fault()
 * adds to current->min_flt / maj_flt (for a process started after "probe
 * start" readers take them from those counters, struct vmi_task_flt).
 * READ/WRITE/EXEC and USER/KERNEL/GUP split the faults a program run saw;
 * UNSEEN (set by readers) are the others (runs skipped by the recursion
 * guard), so each triple plus UNSEEN sums to MINOR + MAJOR.  The rest are
 * outcomes the kernel does not count in min_flt/maj_flt.
 */
enum vmi_fault_counter {
	VMI_FAULT_MINOR,
	VMI_FAULT_MAJOR,
	VMI_FAULT_READ,
	VMI_FAULT_WRITE,
	VMI_FAULT_EXEC,
	VMI_FAULT_USER,		/* user-mode #PF (FAULT_FLAG_USER) */
	VMI_FAULT_KERNEL,	/* kernel-mode #PF, e.g. copy_to_user() */
	VMI_FAULT_GUP,		/* no #PF: get_user_pages() and friends */
	VMI_FAULT_RETRY,	/* VM_FAULT_RETRY: counted when it completes */
	VMI_FAULT_SIGSEGV,	/* user-mode fault answered with SIGSEGV */
	VMI_FAULT_SIGBUS,	/* user-mode fault answered with SIGBUS */
	VMI_FAULT_OOM,		/* VM_FAULT_OOM */
	VMI_FAULT_EFAULT,	/* failed kernel-mode or GUP fault (-EFAULT) */
	VMI_FAULT_EXC_USER,	/* exceptions:page_fault_user (if enabled) */
	VMI_FAULT_EXC_KERNEL,	/* exceptions:page_fault_kernel (if enabled) */
	VMI_FAULT_UNSEEN,	/* in MINOR/MAJOR, no program run saw them */
	VMI_NR_FAULT_COUNTERS
};

#define VMI_FAULT_NAMES {			\
	[VMI_FAULT_MINOR] = "minor",		\
	[VMI_FAULT_MAJOR] = "major",		\
	[VMI_FAULT_READ] = "read",		\
	[VMI_FAULT_WRITE] = "write",		\
	[VMI_FAULT_EXEC] = "exec",		\
	[VMI_FAULT_USER] = "user",		\
	[VMI_FAULT_KERNEL] = "kernel",		\
	[VMI_FAULT_GUP] = "gup",		\
	[VMI_FAULT_RETRY] = "retry",		\
	[VMI_FAULT_SIGSEGV] = "sigsegv",	\
	[VMI_FAULT_SIGBUS] = "sigbus",		\
	[VMI_FAULT_OOM] = "oom",		\
	[VMI_FAULT_EFAULT] = "efault",		\
	[VMI_FAULT_EXC_USER] = "exc_user",	\
	[VMI_FAULT_EXC_KERNEL] = "exc_kernel",	\
	[VMI_FAULT_UNSEEN] = "unseen",		\
}

/*
 * TLB flushes, per value of the kernel's enum tlb_flush_reason (the reason
 * argument of tlb:tlb_flush; names are read from the kernel's BTF, values
 * at or above VMI_TLB_MAX_REASONS are counted in the last slot).  Per
 * reason: events, how many of them flushed everything (pages ==
 * TLB_FLUSH_ALL), the sum of the other events' page counts, and for
 * remote_send_ipi the number of other CPUs the flush was sent to.
 */
#define VMI_TLB_MAX_REASONS	8

enum vmi_tlb_kind {
	VMI_TLB_EVENTS,
	VMI_TLB_FULL,
	VMI_TLB_PAGES,
	VMI_TLB_CPUS,
	VMI_NR_TLB_KINDS
};

#define VMI_TLB_KIND_NAMES {			\
	[VMI_TLB_EVENTS] = "events",		\
	[VMI_TLB_FULL] = "full",		\
	[VMI_TLB_PAGES] = "pages",		\
	[VMI_TLB_CPUS] = "cpus",		\
}

/*
 * Why a process's address space was flushed, told from the initiator's
 * context at flush_tlb_mm_range() and arch_tlbbatch_flush() (see
 * Documentation/probes.rst): the system call it is in (x86-64 numbers),
 * the NUMA hinting scan (task_numa_work(), run on return to user space),
 * reclaim (kswapd, or PF_MEMALLOC: direct reclaim and compaction,
 * MADV_PAGEOUT), the kernel thread (kcompactd, khugepaged, ksmd), a page
 * fault (no system call: copy-on-write, migration of a NUMA hinting
 * fault), other.  Per
 * cause the VMI_TLB_KIND_NAMES numbers: flushes, full flushes, pages of
 * the others, other CPUs asked.
 */
enum vmi_tlb_cause {
	VMI_TLB_CAUSE_ZAP,	/* munmap, brk, mmap over a mapping, exit, exec */
	VMI_TLB_CAUSE_MPROTECT,
	VMI_TLB_CAUSE_MADVISE,
	VMI_TLB_CAUSE_MREMAP,
	VMI_TLB_CAUSE_MIGRATE,	/* mbind, migrate_pages, move_pages */
	VMI_TLB_CAUSE_NUMA,	/* NUMA hinting scan (task_numa_work) */
	VMI_TLB_CAUSE_RECLAIM,
	VMI_TLB_CAUSE_COMPACT,	/* kcompactd */
	VMI_TLB_CAUSE_THP,	/* khugepaged */
	VMI_TLB_CAUSE_KSM,	/* ksmd */
	VMI_TLB_CAUSE_FAULT,
	VMI_TLB_CAUSE_OTHER,
	VMI_NR_TLB_CAUSES
};

#define VMI_TLB_CAUSE_NAMES {			\
	[VMI_TLB_CAUSE_ZAP] = "zap",		\
	[VMI_TLB_CAUSE_MPROTECT] = "mprotect",	\
	[VMI_TLB_CAUSE_MADVISE] = "madvise",	\
	[VMI_TLB_CAUSE_MREMAP] = "mremap",	\
	[VMI_TLB_CAUSE_MIGRATE] = "migrate",	\
	[VMI_TLB_CAUSE_NUMA] = "numa",		\
	[VMI_TLB_CAUSE_RECLAIM] = "reclaim",	\
	[VMI_TLB_CAUSE_COMPACT] = "compact",	\
	[VMI_TLB_CAUSE_THP] = "thp",		\
	[VMI_TLB_CAUSE_KSM] = "ksm",		\
	[VMI_TLB_CAUSE_FAULT] = "fault",	\
	[VMI_TLB_CAUSE_OTHER] = "other",	\
}

struct vmi_fault_counts {
	__u64 c[VMI_NR_FAULT_COUNTERS];
};

struct vmi_tlb_counts {
	/*
	 * Remote shootdown IPIs received: flush_tlb_func() run on a CPU other
	 * than the initiating one, where the kernel increments irq_tlb_count
	 * (the TLB line of /proc/interrupts).
	 */
	__u64 shootdown_irqs;
	__u64 r[VMI_TLB_MAX_REASONS][VMI_NR_TLB_KINDS];
	/* flushes of this process's address space, by cause, initiator side */
	__u64 cause[VMI_NR_TLB_CAUSES][VMI_NR_TLB_KINDS];
};

/* Value of VMI_BPF_MAP_COUNTS: one per thread group, shared by all CPUs. */
struct vmi_tgid_counts {
	struct vmi_fault_counts fault;
	struct vmi_tlb_counts tlb;
};

/*
 * What reading VMI_BPF_LINK_TASK_FLT gives, one per task of a group with
 * counters whose leader started after "probe start": the task's min_flt
 * and maj_flt, for the group leader plus the group's (signal_struct: the
 * threads gone).  Their sum per tgid is fields 10 and 12 of
 * /proc/<pid>/stat.
 */
struct vmi_task_flt {
	__u32 tgid;
	__u32 pad;
	__u64 min;
	__u64 maj;
};

/*
 * VMI_BPF_MAP_VMAS: counted faults per (tgid, start of the faulting VMA at
 * fault time).  start_ticks is the thread group's start time in clock ticks
 * since boot, as field 22 of /proc/<pid>/stat: an entry whose start_ticks
 * differs belongs to an earlier process with the same pid.
 */
struct vmi_vma_key {
	__u32 tgid;
	__u32 pad;
	__u64 vm_start;
};

struct vmi_vma_faults {
	__u64 minor;
	__u64 major;
	__u64 start_ticks;
};

/*
 * VMI_BPF_MAP_CACHE: the fault counts of the last thread group that faulted
 * on each CPU, not yet added to its VMI_BPF_MAP_COUNTS entry (they are when
 * another group faults on that CPU).  A reader adds them to the entry of
 * the same tgid, and ignores a tgid that has no entry (a group that exited).
 * vm_start, vma_minor and vma_major are the same for VMI_BPF_MAP_VMAS.
 */
struct vmi_fault_cache {
	__u32 tgid;
	__u32 pad;
	__u64 start_ticks;
	__u64 vm_start;
	__u64 vma_minor;
	__u64 vma_major;
	struct vmi_fault_counts f;
};

/* VMI_BPF_MAP_GLOBAL: system-wide, whoever was running. */
struct vmi_global {
	__u64 shootdown_irqs;	/* equals the sum of the TLB line */
	__u64 lost;		/* events not attributed: map full */
};

#endif /* _VMINSPECT_ABI_H */
