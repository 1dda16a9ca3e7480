// SPDX-License-Identifier: GPL-2.0
/*
 * The conventions every vmview command follows, below all of them: the
 * global options (-j, -p, -v, colour), the one error printer, usage errors,
 * the JSON writer, help, and the bpftool-style table of commands
 * (vmv_cmd_select(), for vmview's commands in main.c and for subcommands such
 * as "probe start").  It calls nothing of the commands or the helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "vmview.h"

bool vmv_json_output;
bool vmv_pretty_output;
int vmv_verbose;
bool vmv_use_color;
const char *vmv_bin_name = "vmview";
static const char *cur_cmd;	/* the command's name, for usage errors */

bool vmv_common_opt(int opt)
{
	switch (opt) {
	case 'p':
		vmv_pretty_output = true;
		fallthrough;
	case 'j':
		vmv_json_output = true;
		vmv_use_color = false;
		return true;
	case 'v':
		vmv_verbose++;
		return true;
	}
	return false;
}

void vmv_json_print(struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= vmv_pretty_output ? JSON_C_TO_STRING_PRETTY |
				 JSON_C_TO_STRING_SPACED :
				 JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(obj, flags));
	json_object_put(obj);
}

struct json_object *vmv_json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

struct json_object *vmv_json_str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void vmv_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (vmv_json_output) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(msg));
		vmv_json_print(o);
		fflush(stdout);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", vmv_bin_name, msg);
}

int vmv_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", vmv_bin_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cur_cmd)
		fprintf(stderr, "\nTry '%s %s help'.\n", vmv_bin_name, cur_cmd);
	else
		fprintf(stderr, "\nTry '%s help'.\n", vmv_bin_name);
	return VMV_EXIT_USAGE;
}

void vmv_cmds_help(FILE *f, const char *prefix, const struct cmd *cmds)
{
	char word[64];
	int i;

	for (i = 0; cmds[i].name; i++) {
		if (!cmds[i].summary)
			continue;
		snprintf(word, sizeof(word), "%s%s%s", cmds[i].name,
			 cmds[i].args ? " " : "",
			 cmds[i].args ? cmds[i].args : "");
		fprintf(f, "%s%-36s %s\n", prefix, word, cmds[i].summary);
	}
}

int vmv_help(void (*help)(FILE *f), const struct cmd *cmds)
{
	struct json_object *o, *arr;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	if (!vmv_json_output) {
		help(stdout);
		return VMV_EXIT_OK;
	}
	/* -j: stdout stays JSON, the text is one string */
	f = open_memstream(&text, &len);
	if (!f) {
		vmv_err("out of memory");
		return VMV_EXIT_ERR;
	}
	help(f);
	fclose(f);
	o = json_object_new_object();
	json_object_object_add(o, "help", json_object_new_string(text));
	free(text);
	if (cmds) {
		arr = json_object_new_array();
		for (i = 0; cmds[i].name; i++)
			json_object_array_add(arr, vmv_json_str(cmds[i].name));
		json_object_object_add(o, "commands", arr);
	}
	vmv_json_print(o);
	return VMV_EXIT_OK;
}

int vmv_cmd_select(const struct cmd *cmds, int argc, char **argv,
		   int (*help)(int argc, char **argv))
{
	const struct cmd *found = NULL;
	char names[256] = "";
	size_t len;
	int i, n = 0;

	if (argc < 1 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))
		return help(argc, argv);
	len = strlen(argv[0]);
	for (i = 0; cmds[i].name; i++) {
		if (!strcmp(cmds[i].name, argv[0])) {
			found = &cmds[i];
			n = 1;
			break;
		}
		if (len && !strncmp(cmds[i].name, argv[0], len)) {
			found = &cmds[i];
			n++;
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", cmds[i].name);
		}
	}
	if (n > 1)
		return vmv_usage("'%s' is ambiguous: %s", argv[0], names);
	if (!found)
		return vmv_usage("unknown command '%s'", argv[0]);
	if (!strcmp(found->name, "help"))
		return help(argc - 1, argv + 1);
	if (!cur_cmd)
		cur_cmd = found->name;
	/* as bpftool: the command gets the words after its name */
	return found->func(argc - 1, argv + 1);
}
