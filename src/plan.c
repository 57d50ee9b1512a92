// SPDX-License-Identifier: GPL-2.0-or-later
#include "plan.h"
#include "ktable.h"
#include "util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static const char *const verdict_names[V__COUNT] = {
	[V_OK] = "ok",
	[V_NONE] = "none",
	[V_MISSING] = "missing",
	[V_MISMATCH] = "mismatch",
	[V_OWNED] = "owned",
	[V_OWNED_ATTACHED] = "owned-attached",
};

const char *verdict_name(enum verdict v)
{
	return v < V__COUNT ? verdict_names[v] : "?";
}

const char *action_name(enum action a)
{
	switch (a) {
	case A_ATTACH:
		return "attach";
	case A_DETACH:
		return "detach";
	default:
		return "none";
	}
}

bool glob_list_match(const struct glob_list *l, const char *value)
{
	unsigned int i;

	if (!l->n)
		return true;
	for (i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], value, 0) == 0)
			return true;
	return false;
}

const struct owner_rule *device_owner(const struct policy *p, const struct device *d)
{
	unsigned int i;

	for (i = 0; i < p->nowners; i++) {
		const struct owner_rule *o = &p->owners[i];

		if (!o->active)
			continue;
		/* a rule on wwid never matches a device without one */
		if (o->wwid.n && !d->wwid[0])
			continue;
		if (glob_list_match(&o->vendor, d->vendor_t) &&
		    glob_list_match(&o->model, d->model_t) &&
		    glob_list_match(&o->wwid, d->wwid) &&
		    glob_list_match(&o->host, d->host_driver))
			return o;
	}
	return NULL;
}

const char *device_expected(const struct device *d)
{
	const char *exp = ktable_expected(d->tpgs, d->vendor, d->model);

	/*
	 * A handler attached to a LUN the table knows nothing of was chosen by the
	 * kernel (a newer table than ours): its verdict stands. Where the table does
	 * name one, another attached handler is a mismatch: on 6.1 access_state is
	 * readable after a late attach too, so it cannot tell scan time apart.
	 */
	if (!exp)
		return device_attached(d);
	return exp;
}

enum verdict device_verdict(const struct policy *p, const struct device *d)
{
	const char *att = device_attached(d);
	const char *exp;

	if (device_owner(p, d))
		return att ? V_OWNED_ATTACHED : V_OWNED;
	exp = device_expected(d);
	if (att)
		return exp && str_eq(att, exp) ? V_OK : V_MISMATCH;
	return exp ? V_MISSING : V_NONE;
}

void plan_device(const struct policy *p, const struct device *d, struct plan *out)
{
	const char *att = device_attached(d);
	const char *exp;

	memset(out, 0, sizeof(*out));
	out->action = A_NONE;
	out->owner = device_owner(p, d);

	if (!d->dh_state[0]) {
		snprintf(out->reason, sizeof(out->reason), "no dh_state attribute");
		return;
	}
	if (out->owner) {
		if (!att) {
			snprintf(out->reason, sizeof(out->reason), "owned by %s, no handler",
				 out->owner->name);
		} else if (!p->detach) {
			out->handler = att;
			snprintf(out->reason, sizeof(out->reason),
				 "owned by %s, %s attached, detach is off", out->owner->name, att);
		} else {
			out->action = A_DETACH;
			out->handler = att;
			snprintf(out->reason, sizeof(out->reason), "owned by %s, %s attached",
				 out->owner->name, att);
		}
		return;
	}
	exp = device_expected(d);
	if (att) {
		if (exp && str_eq(att, exp))
			snprintf(out->reason, sizeof(out->reason), "%s attached", att);
		else
			snprintf(out->reason, sizeof(out->reason),
				 "%s attached, the kernel's table expects %s", att,
				 exp ? exp : "none");
		return;
	}
	if (!exp) {
		snprintf(out->reason, sizeof(out->reason), "no handler expected");
		return;
	}
	out->handler = exp;
	if (!policy_preloads(p, exp)) {
		snprintf(out->reason, sizeof(out->reason), "%s is not in the preload list", exp);
		return;
	}
	if (!p->late_attach) {
		snprintf(out->reason, sizeof(out->reason), "%s missing, late attach is off", exp);
		return;
	}
	out->action = A_ATTACH;
	snprintf(out->reason, sizeof(out->reason), "%s expected, none attached", exp);
}
