// SPDX-License-Identifier: GPL-2.0
/*
 * JSON helpers of the views that the formats' values need.
 */
#include <string.h>

#include <json-c/json.h>

#include "vmview.h"

struct json_object *vmv_json_list(const char *s)
{
	struct json_object *arr = json_object_new_array();
	const char *p = s, *q;

	if (!s || !strcmp(s, "-"))
		return arr;
	while (*p) {
		q = strchr(p, ',');
		if (!q)
			q = p + strlen(p);
		if (q > p)
			json_object_array_add(arr,
					      json_object_new_string_len(p, q - p));
		p = *q ? q + 1 : q;
	}
	return arr;
}
