// SPDX-License-Identifier: GPL-2.0-or-later
#include "glob.h"
#include "plan.h"
#include "strpool.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const verdict_names[V__COUNT] = {
	[V_OK] = "ok",
	[V_NONE] = "none",
	[V_MISSING] = "missing",
	[V_MISMATCH] = "mismatch",
	[V_UNKNOWN] = "unknown",
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

int handler_index(const char *name)
{
	static const char *const names[] = { "alua", "emc", "rdac", "hp_sw" };
	unsigned int i;

	for (i = 0; name && i < ARRAY_SIZE(names); i++)
		if (str_eq(name, names[i]))
			return (int)i;
	return -1;
}

bool glob_list_match(const struct glob_list *l, const char *value)
{
	unsigned int i;

	if (!l->n)
		return true;
	for (i = 0; i < l->n; i++)
		if (glob_match(l->v[i], value))
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

const char *handler_refuses(const char *handler, const struct kfacts *kf, const struct device *d,
			    const char **why)
{
	*why = NULL;
	if (!handler || !str_eq(handler, "alua"))
		return NULL;
	/*
	 * alua_check_tpgs() (scsi_dh_alua.c, 4.5 to 6.1, commit db5a6a601ba9
	 * "scsi_dh_alua: Disable ALUA handling for non-disk devices"): "disable
	 * for non-disk devices" unless sdev->type == TYPE_DISK: enclosures (13),
	 * controllers (12), tapes (1), ZBC (0x14) and every other type get no
	 * alua. Mainline before 4.5 checks only the TPGS bits (alua_match(),
	 * alua_check_tpgs() of 3.10 and 4.4); distributions that backported the
	 * check differ in the types they let through, so there a late attach
	 * the handler refuses is reported as its refusal.
	 */
	if ((!kf || kf->alua_disk_only) && d->type > 0) {
		*why = "alua takes disks only";
		return "alua";
	}
	/*
	 * alua_check_vpd(): scsi_vpd_tpg_id() finds no target port group
	 * designator (type 5) in VPD page 0x83: "No target port descriptors
	 * found", SCSI_DH_DEV_UNSUPP. Only judged on a page read whole.
	 */
	if (d->vpd83 == 1 && d->tpg < 0 && !d->vpd83_truncated) {
		*why = "no target port group in VPD page 0x83";
		return "alua";
	}
	return NULL;
}

void plan_reason(struct assessment *a, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* thousands of LUNs share a handful of reasons: each is stored once */
	a->reason = str_intern(buf);
	if (!a->reason)
		a->reason = "(no memory left for the reason)";
}

#define REASON(a, ...) plan_reason((a), __VA_ARGS__)

/*
 * An owned LUN with a handler: what can keep it off on this kernel.  A kernel
 * that takes a detach (before 4.3) drops one reference per write
 * (scsi_dh_handler_detach() is a kref_put()): after a detach of this boot the
 * handler that is still there, or there again, is a holder's (dm-multipath's
 * hardware_handler), and a second write would drop that holder's reference.
 */
static void plan_owned(const struct policy *p, const struct kfacts *kf, const struct device *d,
		       const char *att, struct assessment *a)
{
	int hi = handler_index(att);
	bool builtin = kf && hi >= 0 && (kf->builtin & HANDLER_BIT(hi));

	a->verdict = V_OWNED_ATTACHED;
	a->handler = att;
	if (!p->detach) {
		REASON(a, "owned by %s, %s attached, detach is off", a->owner->name, att);
		return;
	}
	if (d->detach_bar == DB_DETACHED && !(kf && kf->can_detach == 0)) {
		a->held = true;
		REASON(a, "owned by %s, %s attached; detached once this boot already: "
			  "held by another user, never detached twice", a->owner->name, att);
		return;
	}
	if (d->detach_bar == DB_NO_LOCK && !(kf && kf->can_detach == 0)) {
		REASON(a, "owned by %s, %s attached; not detached: another sweep holds "
			  "the sweep lock", a->owner->name, att);
		return;
	}
	a->action = A_DETACH;
	if (kf && kf->can_detach == 0 && builtin)
		REASON(a, "owned by %s, %s attached; the kernel refuses detach: only "
			  "initcall_blacklist=%s keeps it off", a->owner->name, att,
		       handler_initcall(att));
	else if (kf && kf->can_detach == 0)
		REASON(a, "owned by %s, %s attached; the kernel refuses detach: do not "
			  "preload scsi_dh_%s", a->owner->name, att, att);
	else
		REASON(a, "owned by %s, %s attached", a->owner->name, att);
}

/* No inquiry attribute: the TPGS bits, and so alua, cannot be told. */
static void plan_tpgs_unknown(const struct kfacts *kf, const struct device *d, const char *att,
			      struct assessment *a)
{
	const struct kgen *g = kf ? kf->gen : kgen_get(KGEN_49);
	const char *tab = handler_known(kgen_match(g, 0, d->vendor, d->model));

	if (att && (!tab || str_eq(att, tab))) {
		/* what the kernel attached stands: TPGS would have given alua first */
		a->expected = att;
		a->verdict = V_OK;
		REASON(a, "%s attached", att);
	} else if (att && !str_eq(att, "alua")) {
		a->expected = tab;
		a->verdict = V_MISMATCH;
		REASON(a, "%s attached, the kernel's table expects %s", att, tab);
	} else {
		a->verdict = V_UNKNOWN;
		REASON(a, "no inquiry attribute: TPGS unknown, alua or %s expected%s%s",
		       tab ? tab : "none", att ? ", alua attached" : "",
		       att ? "" : "; nothing done");
	}
}

void plan_assess(const struct policy *p, const struct kfacts *kf, const struct device *d,
		 struct assessment *a)
{
	const struct kgen *g = kf ? kf->gen : kgen_get(KGEN_49);
	const char *att = device_attached(d);
	const char *name, *exp, *why = NULL;

	memset(a, 0, sizeof(*a));
	a->action = A_NONE;
	a->reason = "";
	a->owner = device_owner(p, d);
	if (kf && kf->no_dh) {
		/* scsi_sysfs.c has no dh_state without CONFIG_SCSI_DH: nothing to do */
		a->verdict = a->owner ? V_OWNED : V_NONE;
		REASON(a, "the kernel has no device handlers (CONFIG_SCSI_DH)");
		return;
	}

	name = d->tpgs < 0 ? NULL : kgen_match(g, d->tpgs, d->vendor, d->model);
	exp = handler_known(name);
	if (exp) {
		a->refused = handler_refuses(exp, kf, d, &why);
		if (!a->refused && d->attach_refused) {
			a->refused = exp;
			why = "a late attach was refused by the handler";
		}
	}
	if (a->owner) {
		a->expected = a->refused ? NULL : exp;
		if (att) {
			plan_owned(p, kf, d, att, a);
		} else {
			a->verdict = V_OWNED;
			REASON(a, "owned by %s, no handler", a->owner->name);
		}
		return;
	}
	if (d->tpgs < 0) {
		plan_tpgs_unknown(kf, d, att, a);
		return;
	}
	if (att) {
		/*
		 * A handler attached to a LUN the table knows nothing of was chosen by
		 * the kernel (a newer table than ours): its verdict stands, and so does
		 * one the kernel kept where we expected a refusal. Where the table does
		 * name one, another attached handler is a mismatch: on 6.1 access_state
		 * is readable after a late attach too, so it cannot tell scan time apart.
		 */
		a->expected = !exp || str_eq(att, exp) ? att : exp;
		if (str_eq(a->expected, att)) {
			a->verdict = V_OK;
			REASON(a, "%s attached", att);
		} else {
			a->verdict = V_MISMATCH;
			REASON(a, "%s attached, the kernel's table expects %s", att, exp);
		}
		return;
	}
	if (!d->dh_state[0]) {
		a->verdict = exp && !a->refused ? V_MISSING : V_NONE;
		a->expected = a->refused ? NULL : exp;
		REASON(a, "no dh_state attribute");
		return;
	}
	if (name && !exp) {
		a->verdict = V_NONE;
		REASON(a, "the kernel's table names \"%s\", which no handler is called", name);
		return;
	}
	if (!exp) {
		a->verdict = V_NONE;
		REASON(a, "no handler expected");
		return;
	}
	if (a->refused) {
		a->verdict = V_NONE;
		REASON(a, "%s refuses this LUN: %s", a->refused, why);
		return;
	}
	a->expected = exp;
	a->verdict = V_MISSING;
	a->handler = exp;
	if (!policy_preloads(p, exp)) {
		REASON(a, "%s is not in the preload list", exp);
		return;
	}
	if (!p->late_attach) {
		REASON(a, "%s missing, late attach is off", exp);
		return;
	}
	a->action = A_ATTACH;
	REASON(a, "%s expected, none attached", exp);
}

void plan_inventory(const struct policy *p, const struct kfacts *kf, struct inventory *inv)
{
	unsigned int i;

	for (i = 0; i < inv->n; i++)
		plan_assess(p, kf, &inv->dev[i], &inv->dev[i].as);
}
