/*
 * The assessment engine (docs/assess.md): for every provision of the catalogue, a verdict
 * from the scan's evidence (findings of the checks that give evidence for it, known
 * vulnerabilities, the SBOM), the product's facts (which conditions hold) and the maker's
 * declarations; then a summary per standard. Pure functions over jansson trees: no I/O.
 */
#ifndef IOTRUST_ASSESS_H
#define IOTRUST_ASSESS_H
#include <jansson.h>
#include <stddef.h>

#include "iotrust/catalogue.h"
#include "iotrust/error.h"

/* The verdicts, in the order a report ranks them. */
#define IT_VERDICT_PASS           "PASS"
#define IT_VERDICT_FAIL           "FAIL"
#define IT_VERDICT_NOT_APPLICABLE "NOT-APPLICABLE"
#define IT_VERDICT_DECLARED       "DECLARED"
#define IT_VERDICT_INCONCLUSIVE   "INCONCLUSIVE"

struct it_assess_input {
	const struct it_catalogue *cat;
	const json_t *scan;         /* the canonical scan result (docs/schema/scan-result) */
	const json_t *facts;        /* condition id -> true / false; absent: not known */
	const json_t *declarations; /* global id -> {"status","justification","evidence"} */
	const json_t *evidence;     /* data/assess/evidence.json: what vulnerabilities and the
	                             * SBOM are evidence for (NULL: none) */
	const char *fail_at;        /* the least severe finding that fails a provision ("low",
	                             * "medium", "high", "critical"); less severe ones are noted */
	const json_t *required;     /* global ids (array) of recommended provisions the risk tier
	                             * makes required; NULL: none */
};

/* One object per catalogue item, in catalogue order:
 * {"id","standard","title","level","applies","required","verdict","reasons":[...],
 *  "checks":[check ids],"findings":[{"check","severity","path","message"}],
 *  "vulnerabilities":[{"id","component","severity","kev"}],"declaration":{...},
 *  "question"}. Rules (docs/assess.md): a condition that does not hold makes the item
 * NOT-APPLICABLE; a finding at or above fail_at, or a known-exploited or severe
 * vulnerability, makes it FAIL and outranks a declared PASS (the reasons say so); the
 * evidence checks all clean make it PASS; otherwise the declaration decides (implemented:
 * DECLARED, not-applicable: NOT-APPLICABLE, not-implemented: FAIL) and without one it is
 * INCONCLUSIVE with the question to ask. */
int it_assess_verdicts(const struct it_assess_input *in, json_t **out, struct it_error *err);

/* data/assess/evidence.json, checked: "known_vulnerabilities" and "sbom" each with a
 * "provisions" list of catalogue ids (IT_ERR_INPUT naming the first that is not one). */
int it_assess_evidence_load(const char *file, const char *text, size_t len,
                            const struct it_catalogue *cat, json_t **out, struct it_error *err);

/* Per standard, in catalogue order: {"id","title","met","level_met","counts":{verdict:n},
 * "required_failed","required_inconclusive"}. A standard is met when no required item is
 * FAIL or INCONCLUSIVE; level_met is "mandatory+recommended" when every applicable item
 * passes, "mandatory" when the required ones do, else "none". */
int it_assess_standards(const struct it_catalogue *cat, const json_t *verdicts, json_t **out,
                        struct it_error *err);

/* A product's facts (docs/assess.md "Facts") from its canonical profile (it_profile_load)
 * and its scan: vertical, personal-data, location-data, audio-video, health-data,
 * children-data, processes-personal-data, remote-actuation, actuation-safety, exposure,
 * internet-facing, remote-access, third-party-flows, markets-eu/-uk/-us, collects-telemetry,
 * update-mechanism, automatic-updates, ..., uses-passwords, debug-interfaces. A fact the
 * profile does not state and the scan cannot see is absent. */
int it_assess_facts(const json_t *profile, const json_t *scan, json_t **out, struct it_error *err);
/* Where the profile and the firmware disagree: [{"id","profile","firmware","findings"}]
 * (e.g. the profile says no remote access and the firmware starts telnetd). */
int it_assess_consistency(const json_t *profile, const json_t *scan, json_t **out,
                          struct it_error *err);

/* Risk tiering rules (data/risk/tiers.yaml, docs/assess.md): read and check the YAML text
 * (file names it in messages; provision ids must exist in cat): IT_ERR_INPUT at
 * file:line:column. *out is the rules as JSON {"tiers":{...},"rules":[...],"cra_class":[...]}. */
int it_risk_load(const char *file, const char *text, size_t len, const struct it_catalogue *cat,
                 json_t **out, struct it_error *err);
/* Apply the rules to a product's facts (fact -> value): {"level","reasons":[{"tier",
 * "because"}],"cra_class","cra_because","fail_at","required":[ids]}. The tier is the highest
 * of the rules that hold (basic when none); the CRA class is the first cra_class rule that
 * holds (default otherwise; not assessed when the fact markets-eu is false). */
int it_risk_tier(const json_t *rules, const json_t *facts, json_t **out, struct it_error *err);

/* The whole assessment (docs/assess.md; the document label signing and every report read). */
struct it_assessment_input {
	const struct it_catalogue *cat;
	const json_t *scan;         /* the canonical scan result */
	const json_t *profile;      /* the canonical profile (it_profile_load) */
	const json_t *declarations; /* it_declarations_load's document, or NULL */
	const json_t *rules;        /* it_risk_load */
	const json_t *evidence;     /* data/assess/evidence.json, or NULL */
	const char *sbom_sha256;    /* SHA-256 of the scan's CycloneDX SBOM, or NULL */
	const char *assessed_at;    /* RFC 3339 UTC */
	const char *tool_version;
};
/* {"format":"iotrust-assessment","format_version":1,"assessed_at","tool","product",
 *  "support_until","disclosure","image","sbom_sha256","profile","facts","tier",
 *  "consistency","summary":{"provisions","mandatory_failed","mandatory_inconclusive",
 *  "counts"},"standards","gaps","safety","privacy","provisions","declarations"} */
int it_assess(const struct it_assessment_input *in, json_t **out, struct it_error *err);

#endif
