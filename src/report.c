// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"
#include "ktable.h"
#include "util.h"

#include <string.h>

#ifndef VERSION
#define VERSION "0"
#endif

unsigned int utf8_len(const unsigned char *s)
{
	unsigned int n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Controls as \u00XX: C0 and DEL, and C1 (U+0080..U+009F: U+009B is CSI to a
 * terminal), which valid UTF-8 carries as c2 80..c2 9f.  A byte that is not
 * part of valid UTF-8 becomes U+FFFD, never the character of the same number
 * (0xff and U+00FF would read the same); the output is plain ASCII and UTF-8.
 */
bool json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	bool invalid = false;

	if (!str) {
		fputs("null", f);
		return false;
	}
	fputc('"', f);
	while (*s) {
		unsigned int n;

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			s++;
			continue;
		case '\\':
			fputs("\\\\", f);
			s++;
			continue;
		case '\n':
			fputs("\\n", f);
			s++;
			continue;
		case '\t':
			fputs("\\t", f);
			s++;
			continue;
		case '\r':
			fputs("\\r", f);
			s++;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			invalid = true;
			s++;
			continue;
		}
		if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			fprintf(f, "\\u%04x", s[1]);	/* C1 */
			s += 2;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
	return invalid;
}

bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int n;

	for (; str && *s; s += n) {
		n = utf8_len(s);
		if (!n)
			return false;
	}
	return true;
}

/* The exact bytes of s as a JSON string of lowercase hex digits. */
static void json_hex(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (; *s; s++)
		fprintf(f, "%02x", *s);
	fputc('"', f);
}

void json_member(FILE *f, const char *name, const char *value, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", name);
	/* NULL is never invalid: said for the analyzer, which may not follow json_string() */
	if (!json_string(f, value) || !value)
		return;
	fprintf(f, ",\"%s_hex\":", name);
	json_hex(f, value);
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* A display copy: bytes outside printable ASCII become '?' */
static const char *shown_str(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < size - 1 && s[i]; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

void device_label(const struct device *d, const struct owner_rule *o, char *buf,
		  unsigned int size)
{
	char v[32], m[32];

	snprintf(buf, size, "%s (%s:%s)%s%s dh_state=%s", d->hctl,
		 shown_str(d->vendor_t, v, sizeof(v)), shown_str(d->model_t, m, sizeof(m)),
		 o ? " owner=" : "", o ? o->name : "", d->dh_state[0] ? d->dh_state : "?");
}

void summary_count(struct summary *s, const struct inventory *inv,
		   const struct apply_item *items)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < inv->n; i++) {
		const struct device *d = &inv->dev[i];

		if (items) {
			const struct apply_item *it = &items[i];

			switch (it->result) {
			case AR_DONE:
				if (it->plan.action == A_ATTACH)
					s->attached++;
				else
					s->detached++;
				break;
			case AR_REFUSED:
				s->refused++;
				break;
			case AR_FAILED:
				s->failed++;
				break;
			case AR_VANISHED:
				s->vanished++;
				continue;
			case AR_DECLINED:
				s->declined++;
				break;
			case AR_HELD:
				s->held++;
				break;
			case AR_NOTHING:
				/* detached once this boot, by an earlier sweep */
				if (it->plan.held)
					s->held++;
				break;
			default:
				break;
			}
		}
		if (d->vanished)
			continue;
		s->luns++;
		if (d->wwid_too_long)
			s->wwid_too_long++;
		s->verdicts[d->as.verdict < V__COUNT ? d->as.verdict : V_UNKNOWN]++;
	}
}

void summary_format(const struct summary *s, char *buf, unsigned int size)
{
	size_t len;
	int v, first = 1;

	snprintf(buf, size, "%u LUN%s", s->luns, s->luns == 1 ? "" : "s");
	for (v = 0; v < V__COUNT; v++) {
		if (!s->verdicts[v])
			continue;
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s %u %s", first ? ":" : ",", s->verdicts[v],
			 verdict_name((enum verdict)v));
		first = 0;
	}
	len = strlen(buf);
	snprintf(buf + len, size - len, "; attached %u, detached %u, refused %u, failed %u",
		 s->attached, s->detached, s->refused, s->failed);
	if (s->declined) {
		len = strlen(buf);
		snprintf(buf + len, size - len, ", refused by the handler %u", s->declined);
	}
	if (s->held) {
		len = strlen(buf);
		snprintf(buf + len, size - len, ", held %u", s->held);
	}
	if (s->vanished) {
		len = strlen(buf);
		snprintf(buf + len, size - len, ", vanished %u", s->vanished);
	}
	if (s->wwid_too_long) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "; wwid too long to read (taken as unknown): %u LUN%s",
			 s->wwid_too_long, s->wwid_too_long == 1 ? "" : "s");
	}
}

static const char *can_detach_text(int cd)
{
	switch (cd) {
	case 1:
		return "yes (kernel before 4.3: exports scsi_dh_detach)";
	case 0:
		return "no (kernel 4.3 or later: refuses detach)";
	default:
		return "unknown (no symbol list to tell)";
	}
}

void kernel_levers(struct kernel_info *k, char *buf, unsigned int size)
{
	static const char *const handlers[] = { "alua", "emc", "rdac", "hp_sw" };
	const struct kfacts *kf = kernel_facts(k);
	size_t len;
	unsigned int i;

	buf[0] = '\0';
	if (kf->no_dh) {
		snprintf(buf, size,
			 "no device handlers: kernel %s is built without them (%s); no handler "
			 "can attach to any LUN, and preloading, attaching or detaching does "
			 "nothing",
			 k->release, k->dh_why);
		return;
	}
	if (kf->builtin) {
		snprintf(buf, size, "built-in handlers:");
		for (i = 0; i < ARRAY_SIZE(handlers); i++) {
			len = strlen(buf);
			if (kf->builtin & HANDLER_BIT(i))
				snprintf(buf + len, size - len, " %s", handlers[i]);
		}
		len = strlen(buf);
		snprintf(buf + len, size - len, " (preloading them has no effect)\n");
	}
	len = strlen(buf);
	if (kf->can_detach == 1)
		snprintf(buf + len, size - len,
			 "owned LUNs: detach is the lever (one write per LUN; a holder such as "
			 "dm-multipath can keep the handler)");
	else if (kf->can_detach == 0 && kf->builtin)
		snprintf(buf + len, size - len,
			 "owned LUNs: the kernel refuses detach; a built-in handler is kept off "
			 "only by initcall_blacklist=, for every LUN of the machine");
	else if (kf->can_detach == 0)
		snprintf(buf + len, size - len,
			 "owned LUNs: the kernel refuses detach; a handler module is kept off "
			 "only by not loading it");
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
}

void status_header(FILE *f, const struct policy *p, struct kernel_info *k)
{
	const struct kfacts *kf = kernel_facts(k);
	char levers[512];
	unsigned int i;

	fprintf(f, "kernel %s: can detach handlers: %s\n", k->release,
		can_detach_text(kernel_can_detach(k)));
	fprintf(f, "kernel generation: %s (%s)\n", kf->gen->name, k->gen_why);
	kernel_levers(k, levers, sizeof(levers));
	if (levers[0])
		fprintf(f, "%s\n", levers);
	if (!p->enabled)
		fprintf(f, "disabled by the kernel command line (rd.scsi_dh=0)\n");
	if (p->fallback)
		fprintf(f, "configuration errors: preload defaults only, no changes\n");
	fprintf(f, "policy: preload");
	for (i = 0; i < p->npreload; i++)
		fprintf(f, " %s", p->preload[i]);
	if (!p->npreload)
		fprintf(f, " (none)");
	fprintf(f, "; late attach %s; detach %s", p->late_attach ? "on" : "off",
		p->detach ? "on" : "off");
	for (i = 0; i < p->nowners; i++)
		fprintf(f, "%s%s%s", i ? ", " : "; owners: ", p->owners[i].name,
			p->owners[i].active ? "" : " (inactive)");
	fputc('\n', f);
}

enum { C_HCTL, C_BLOCK, C_HOST, C_VENDOR, C_MODEL, C_TPGS, C_EXP, C_ATT, C_OWNER, C_VERDICT,
       C_IOERR, C__N };

static void row_cells(const struct device *d, char cells[C__N][40])
{
	const struct owner_rule *o = d->as.owner;
	const char *exp = d->as.expected;
	const char *att = device_attached(d);
	char tmp[40];

	snprintf(cells[C_HCTL], 40, "%s", d->hctl);
	snprintf(cells[C_BLOCK], 40, "%s", d->block[0] ? d->block : "-");
	snprintf(cells[C_HOST], 40, "%s", d->host_driver[0] ? d->host_driver : "-");
	snprintf(cells[C_VENDOR], 40, "%s",
		 d->vendor_t[0] ? shown_str(d->vendor_t, tmp, 40) : "-");
	snprintf(cells[C_MODEL], 40, "%s", d->model_t[0] ? shown_str(d->model_t, tmp, 40) : "-");
	if (d->tpgs < 0)
		snprintf(cells[C_TPGS], 40, "?");
	else
		snprintf(cells[C_TPGS], 40, "%d", d->tpgs);
	snprintf(cells[C_EXP], 40, "%s", exp ? exp : d->as.verdict == V_UNKNOWN ? "?" : "-");
	snprintf(cells[C_ATT], 40, "%s", att ? att : (d->dh_state[0] ? "-" : "?"));
	snprintf(cells[C_OWNER], 40, "%s", o ? o->name : "-");
	snprintf(cells[C_VERDICT], 40, "%s", verdict_name(d->as.verdict));
	if (d->ioerr_known)
		snprintf(cells[C_IOERR], 40, "%llu", d->ioerr);
	else
		snprintf(cells[C_IOERR], 40, "?");
}

static void table_cell(FILE *f, const char *s, unsigned int width, bool last)
{
	if (last)
		fprintf(f, "%s\n", s);
	else
		fprintf(f, "%-*s  ", (int)width, s);
}

void status_table(FILE *f, const struct policy *p, const struct inventory *inv)
{
	(void)p;
	static const char *const head[C__N] = { "HCTL",  "BLOCK",    "HOST",     "VENDOR",
						"MODEL", "TPGS",     "EXPECTED", "ATTACHED",
						"OWNER", "VERDICT",  "IOERR" };
	unsigned int w[C__N], i, c;
	char cells[C__N][40];

	if (!inv->n) {
		fprintf(f, "no SCSI devices\n");
		return;
	}
	for (c = 0; c < C__N; c++)
		w[c] = (unsigned int)strlen(head[c]);
	for (i = 0; i < inv->n; i++) {
		row_cells(&inv->dev[i], cells);
		for (c = 0; c < C__N; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = (unsigned int)strlen(cells[c]);
	}
	for (c = 0; c < C__N; c++)
		table_cell(f, head[c], w[c], c + 1 == C__N);
	for (i = 0; i < inv->n; i++) {
		row_cells(&inv->dev[i], cells);
		for (c = 0; c < C__N; c++)
			table_cell(f, cells[c], w[c], c + 1 == C__N);
	}
}

const char *kernel_generation(struct kernel_info *k)
{
	static const char *const ids[KGEN__COUNT] = { [KGEN_PRE43] = "pre-4.3",
						      [KGEN_43] = "4.3",
						      [KGEN_49] = "4.9" };

	return ids[kernel_facts(k)->gen->id];
}

void kernel_json(FILE *f, struct kernel_info *k)
{
	static const char *const handlers[] = { "alua", "emc", "rdac", "hp_sw" };
	const struct kfacts *kf = kernel_facts(k);
	int cd = kernel_can_detach(k);
	unsigned int i, n = 0;

	fputc('{', f);
	json_member(f, "release", k->release, false);
	fprintf(f, ",\"can_detach\":%s,\"generation\":", cd < 0 ? "null" : cd ? "true" : "false");
	json_string(f, kernel_generation(k));
	json_member(f, "generation_why", k->gen_why, true);
	fprintf(f, ",\"table\":");
	json_string(f, kf->gen->source);
	fprintf(f, ",\"builtin_handlers\":[");
	for (i = 0; i < ARRAY_SIZE(handlers); i++)
		if (kf->builtin & HANDLER_BIT(i)) {
			fprintf(f, "%s", n++ ? "," : "");
			json_string(f, handlers[i]);
		}
	fprintf(f, "]}");
}

static void bool_json(FILE *f, const char *key, bool v, bool comma)
{
	fprintf(f, "%s\"%s\":%s", comma ? "," : "", key, v ? "true" : "false");
}

const char *const sweep_count_names[SC__N] = {
	"luns", "attached", "detached", "refused", "failed", "refused_by_handler", "held",
	"vanished",
};

void sweep_counts(const struct summary *s, unsigned int c[SC__N])
{
	c[SC_LUNS] = s->luns;
	c[SC_ATTACHED] = s->attached;
	c[SC_DETACHED] = s->detached;
	c[SC_REFUSED] = s->refused;
	c[SC_FAILED] = s->failed;
	c[SC_DECLINED] = s->declined;
	c[SC_HELD] = s->held;
	c[SC_VANISHED] = s->vanished;
}

void status_json(FILE *f, const struct policy *p, struct kernel_info *k,
		 const struct inventory *inv, const char *summary, const struct summary *sweep)
{
	unsigned int i, n, c[SC__N];

	fprintf(f, "{\"version\":\"%s\",", VERSION);
	if (sweep) {
		sweep_counts(sweep, c);
		for (i = 0; i < SC__N; i++)
			fprintf(f, "%s\"%s\":%u", i ? "," : "\"sweep\":{", sweep_count_names[i],
				c[i]);
		fputs("},\n", f);
	}
	fprintf(f, "\"kernel\":");
	kernel_json(f, k);
	fprintf(f, ",\"policy\":{");
	bool_json(f, "enabled", p->enabled, false);
	fprintf(f, ",\"preload\":[");
	for (i = 0; i < p->npreload; i++) {
		if (i)
			fputc(',', f);
		json_string(f, p->preload[i]);
	}
	fputc(']', f);
	bool_json(f, "late_attach", p->late_attach, true);
	bool_json(f, "detach", p->detach, true);
	bool_json(f, "fallback", p->fallback, true);
	json_member(f, "metrics_textfile_dir", nz(p->metrics_dir), true);
	fprintf(f, ",\"errors\":[");
	for (i = 0, n = 0; i < p->nerrors && i < MAX_ERRORS; i++) {
		if (i)
			fputc(',', f);
		n += json_string(f, p->errors[i]);
	}
	fputc(']', f);
	if (n) {
		/* errors quote the files: the exact bytes of each, null where UTF-8 */
		fprintf(f, ",\"errors_hex\":[");
		for (i = 0; i < p->nerrors && i < MAX_ERRORS; i++) {
			if (i)
				fputc(',', f);
			if (utf8_valid(p->errors[i]))
				fputs("null", f);
			else
				json_hex(f, p->errors[i]);
		}
		fputc(']', f);
	}
	fprintf(f, ",\"owners\":[");
	for (i = 0; i < p->nowners; i++) {
		fputs(i ? ",{" : "{", f);
		json_member(f, "name", p->owners[i].name, false);
		bool_json(f, "active", p->owners[i].active, true);
		fputc('}', f);
	}
	fprintf(f, "]},\"devices\":[");
	for (i = 0, n = 0; i < inv->n; i++) {
		const struct device *d = &inv->dev[i];
		const struct owner_rule *o = d->as.owner;

		if (d->vanished)
			continue;
		fprintf(f, "%s\n{\"hctl\":", n++ ? "," : "");
		json_string(f, d->hctl);
		json_member(f, "block", nz(d->block), true);
		if (d->type < 0)
			fprintf(f, ",\"type\":null");
		else
			fprintf(f, ",\"type\":%d", d->type);
		json_member(f, "vendor", d->vendor_t, true);
		json_member(f, "model", d->model_t, true);
		json_member(f, "host_driver", nz(d->host_driver), true);
		if (d->tpgs < 0)
			fprintf(f, ",\"tpgs\":null");
		else
			fprintf(f, ",\"tpgs\":%d", d->tpgs);
		fprintf(f, ",\"expected\":");
		json_string(f, d->as.expected);
		json_member(f, "attached", device_attached(d), true);
		json_member(f, "access_state", nz(d->access_state), true);
		if (d->ioerr_known)
			fprintf(f, ",\"ioerr_cnt\":%llu", d->ioerr);
		else
			fprintf(f, ",\"ioerr_cnt\":null");
		json_member(f, "wwid", nz(d->wwid), true);
		fprintf(f, ",\"wwid_source\":");
		json_string(f, !d->wwid[0] ? NULL : d->wwid_from_vpd ? "vpd_pg83" : "wwid");
		bool_json(f, "wwid_too_long", d->wwid_too_long, true);
		json_member(f, "owner", o ? o->name : NULL, true);
		fprintf(f, ",\"verdict\":");
		json_string(f, verdict_name(d->as.verdict));
		json_member(f, "reason", d->as.reason, true);
		fputc('}', f);
	}
	fprintf(f, "%s]", n ? "\n" : "");
	if (summary) {
		fprintf(f, ",\"summary\":");
		json_string(f, summary);
	}
	fprintf(f, "}\n");
}

/* The handler an owned LUN has or would get at scan time. */
static const char *owned_handler(const struct kfacts *kf, const struct device *d)
{
	const char *att = device_attached(d);

	if (att)
		return handler_known(att);
	return handler_known(kgen_match(kf->gen, d->tpgs, d->vendor, d->model));
}

unsigned int check_kernel(FILE *f, const struct policy *p, struct kernel_info *k,
			  struct inventory *inv)
{
	static const char *const handlers[] = { "alua", "emc", "rdac", "hp_sw" };
	const struct kfacts *kf = kernel_facts(k);
	unsigned int need = 0, i, h, n, warnings = 0;
	char levers[512], line[512];
	size_t len;

	fprintf(f, "  kernel generation: %s, because %s\n", kf->gen->name, k->gen_why);
	fprintf(f, "  kernel table: %s\n", kf->gen->source);
	kernel_levers(k, levers, sizeof(levers));
	for (char *s = levers, *nl; *s; s = nl ? nl + 1 : s + strlen(s)) {
		nl = strchr(s, '\n');
		fprintf(f, "  %.*s\n", nl ? (int)(nl - s) : (int)strlen(s), s);
	}
	if (kf->can_detach != 0 || !kf->builtin)
		return 0;
	plan_inventory(p, kf, inv);
	for (i = 0; i < inv->n; i++) {
		const struct device *d = &inv->dev[i];
		int hi = d->as.owner ? handler_index(owned_handler(kf, d)) : -1;

		if (hi >= 0 && (kf->builtin & HANDLER_BIT(hi)))
			need |= HANDLER_BIT(hi);
	}
	if (!need)
		return 0;
	snprintf(line, sizeof(line), "initcall_blacklist=");
	for (h = 0, n = 0; h < ARRAY_SIZE(handlers); h++) {
		len = strlen(line);
		if (need & HANDLER_BIT(h))
			snprintf(line + len, sizeof(line) - len, "%s%s", n++ ? "," : "",
				 handler_initcall(handlers[h]));
	}
	fprintf(f, "  owned LUNs have built-in handlers the kernel will not detach; to keep "
		   "them off, boot with:\n    %s\n", line);
	warnings++;
	for (h = 0; h < ARRAY_SIZE(handlers); h++) {
		unsigned int shown = 0, more = 0;

		if (!(need & HANDLER_BIT(h)))
			continue;
		for (i = 0; i < inv->n; i++) {
			const struct device *d = &inv->dev[i];
			const char *att = device_attached(d);
			char v[32], m[32];

			if (d->as.owner || d->vanished)
				continue;
			if (!(att && str_eq(att, handlers[h])) &&
			    !(d->as.expected && str_eq(d->as.expected, handlers[h])))
				continue;
			if (shown++ < 8)
				fprintf(f, "%s %s (%s:%s)", shown == 1 ? "  that also takes" : ",",
					d->hctl, shown_str(d->vendor_t, v, sizeof(v)),
					shown_str(d->model_t, m, sizeof(m)));
			else
				more++;
		}
		if (shown) {
			if (more)
				fprintf(f, " and %u more", more);
			fprintf(f, " from %s: %u LUN%s not owned\n", handlers[h], shown,
				shown == 1 ? "" : "s");
		} else {
			fprintf(f, "  no other LUN of this machine uses %s\n", handlers[h]);
		}
	}
	return warnings;
}
