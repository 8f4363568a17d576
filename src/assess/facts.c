/*
 * What the assessment knows about a product (docs/assess.md "Facts"): facts derived from
 * its profile (vertical, data, actuation, exposure, markets, updates) and from its scan
 * (services, credentials, update client, cloud endpoints), keyed as the risk rules and the
 * catalogue's conditions name them; and where the profile and the firmware disagree.
 */
#include <string.h>
#include <strings.h>

#include "iotrust/assess.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A data category is processed: {"processed": true, "uses": [...]} in the canonical
 * profile (also true, or a non-empty list of uses). */
static int processed(const json_t *data, const char *key)
{
	const json_t *v = json_object_get(data, key);
	return json_is_true(v) || json_array_size(v) > 0 ||
	       json_is_true(json_object_get(v, "processed"));
}

static int has_finding(const json_t *scan, const char *prefix)
{
	size_t i, n = strlen(prefix);
	const json_t *f;
	json_array_foreach(json_object_get(scan, "findings"), i, f)
	{
		const char *c = str(f, "check");
		if (c && strncmp(c, prefix, n) == 0)
			return 1;
	}
	return 0;
}

static int in_strings(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && strcasecmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

static const char *max_safety(const json_t *actuation)
{
	static const char *const order[] = {"none", "low", "medium", "high"};
	int best = 0;
	size_t i;
	const json_t *a;
	json_array_foreach(actuation, i, a)
	{
		const char *s = str(a, "safety_impact");
		for (int k = 0; s && k < 4; k++)
			if (strcmp(s, order[k]) == 0 && k > best)
				best = k;
	}
	return order[best];
}

int it_assess_facts(const json_t *profile, const json_t *scan, json_t **out, struct it_error *err)
{
	const json_t *data = json_object_get(profile, "data");
	const json_t *net = json_object_get(profile, "network");
	const json_t *act = json_object_get(profile, "remote_actuation");
	const json_t *upd = json_object_get(profile, "updates");
	const json_t *markets = json_object_get(profile, "markets");
	const json_t *svc, *tp;
	size_t i;
	int internet = str(net, "exposure") && strcmp(str(net, "exposure"), "internet-facing") == 0;
	json_array_foreach(json_object_get(net, "services"), i, svc)
	{
		internet |= json_is_true(json_object_get(svc, "internet_facing"));
	}
	int telemetry = has_finding(scan, "privacy.telemetry-endpoint");
	json_array_foreach(json_object_get(profile, "third_parties"), i, tp)
	{
		telemetry |= in_strings(json_object_get(tp, "data"), "telemetry");
	}
	int personal = processed(data, "personal"), location = processed(data, "location");
	int av = processed(data, "audio_video"), health = processed(data, "health");
	int children = processed(data, "children");
	const char *mech = str(upd, "mechanism");
	json_t *f = json_pack(
	        "{ss* sb sb sb sb sb sb sb ss ss* sb sb sb sb sb sb}", "vertical",
	        str(profile, "vertical"), "personal-data", personal, "location-data", location,
	        "audio-video", av, "health-data", health, "children-data", children,
	        "processes-personal-data", personal || location || av || health || children,
	        "remote-actuation", json_array_size(act) > 0, "actuation-safety", max_safety(act),
	        "exposure", str(net, "exposure"), "internet-facing", internet, "third-party-flows",
	        json_array_size(json_object_get(profile, "third_parties")) > 0, "markets-eu",
	        in_strings(markets, "EU"), "markets-uk", in_strings(markets, "UK"), "markets-us",
	        in_strings(markets, "US"), "collects-telemetry", telemetry);
	if (!f)
		return it_error_nomem(err);
	const json_t *ra = json_object_get(net, "remote_access");
	if (json_is_boolean(ra))
		json_object_set(f, "remote-access", (json_t *)ra);
	if (mech) {
		int none = strcmp(mech, "none") == 0, automatic = strcmp(mech, "automatic") == 0;
		json_object_set_new(f, "update-mechanism", json_boolean(!none));
		json_object_set_new(f, "automatic-updates", json_boolean(automatic));
		if (automatic || none)
			json_object_set_new(f, "automatic-updates-or-notifications",
			                    json_boolean(automatic));
		if (automatic || none)
			json_object_set_new(f, "network-updates", json_boolean(automatic));
	}
	/* from the firmware: what the scan saw decides conditions the profile does not state */
	if (has_finding(scan, "cred.") || has_finding(scan, "ssh.permit-empty"))
		json_object_set_new(f, "uses-passwords", json_true());
	if (has_finding(scan, "svc.debug-tools"))
		json_object_set_new(f, "debug-interfaces", json_true());
	*out = f;
	return 0;
}

/* The scan's findings of one check family, as {"check","path","message"}. */
static json_t *findings_of(const json_t *scan, const char *const *checks, size_t n)
{
	json_t *out = json_array();
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(scan, "findings"), i, f)
	{
		const char *c = str(f, "check");
		for (size_t k = 0; c && k < n; k++)
			if (strcmp(c, checks[k]) == 0) {
				json_array_append_new(out, json_pack("{ss ss* ss*}", "check", c,
				                                     "path", str(f, "path"),
				                                     "message", str(f, "message")));
				break;
			}
	}
	return out;
}

static int disagree(json_t *out, const char *id, const char *profile_says,
                    const char *firmware_says, json_t *evidence)
{
	if (!json_array_size(evidence)) {
		json_decref(evidence);
		return 0;
	}
	return json_array_append_new(out,
	                             json_pack("{ss ss ss so}", "id", id, "profile", profile_says,
	                                       "firmware", firmware_says, "findings", evidence));
}

int it_assess_consistency(const json_t *profile, const json_t *scan, json_t **out,
                          struct it_error *err)
{
	static const char *const remote[] = {
	        "svc.telnetd",           "svc.ftpd",          "svc.tftpd",           "svc.upnp",
	        "ssh.permit-root-login", "ssh.password-auth", "web.plain-http-admin"};
	static const char *const cloud[] = {"privacy.hardcoded-cloud-host",
	                                    "privacy.telemetry-endpoint"};
	static const char *const unsigned_update[] = {"update.no-signature-check"};
	static const char *const client[] = {"update.client-present"};
	const json_t *net = json_object_get(profile, "network");
	const json_t *upd = json_object_get(profile, "updates");
	const char *exposure = str(net, "exposure"), *mech = str(upd, "mechanism");
	json_t *o = json_array();
	int rc = o ? 0 : -1;
	if (rc == 0 && json_is_false(json_object_get(net, "remote_access")))
		rc = disagree(o, "remote-access", "no remote access (network.remote_access: false)",
		              "remote login or administration services are shipped or started",
		              findings_of(scan, remote, 7));
	if (rc == 0 && exposure && strcmp(exposure, "lan-only") == 0)
		rc = disagree(o, "lan-only", "LAN only (network.exposure: lan-only)",
		              "the firmware names cloud or telemetry hosts",
		              findings_of(scan, cloud, 2));
	if (rc == 0 && json_is_true(json_object_get(upd, "signed")))
		rc = disagree(o, "signed-updates", "updates are signed (updates.signed: true)",
		              "the update client installs images without checking a signature",
		              findings_of(scan, unsigned_update, 1));
	if (rc == 0 && mech && strcmp(mech, "none") == 0)
		rc = disagree(o, "no-updates", "no update mechanism (updates.mechanism: none)",
		              "an update client is in the firmware", findings_of(scan, client, 1));
	if (rc == 0 && !json_array_size(json_object_get(profile, "third_parties")))
		rc = disagree(o, "third-parties", "no third parties receive data",
		              "the firmware names cloud or telemetry hosts",
		              findings_of(scan, cloud, 2));
	if (rc < 0) {
		json_decref(o);
		return it_error_nomem(err);
	}
	*out = o;
	return 0;
}
