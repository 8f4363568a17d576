// Validate iotrust outputs with the format owners' own schemas and validators.
//
//   node tests/validate/validate.mjs <kind> FILE...
//
// kind: cyclonedx  CycloneDX 1.6 JSON: @cyclonedx/cyclonedx-library's
//                  Validation.JsonStrictValidator, then Ajv (draft-07) against
//                  tests/data/schemas/bom-1.6.schema.json
//       spdx       SPDX 2.3 JSON: Ajv (draft 2019-09) against tests/data/schemas/spdx-2.3-schema.json
//       sarif      SARIF 2.1.0: Ajv (draft-04) against tests/data/schemas/sarif-schema-2.1.0.json
//       result     iotrust's canonical result: Ajv (draft-07) against docs/schema/scan-result.schema.json
//       csaf       CSAF 2.0 (VEX profile): @secvisogram/csaf-validator-lib's strict schema test,
//                  every mandatory test (6.1.x, incl. the csaf_vex profile tests 6.1.27.x) and
//                  every optional test (6.2.x, warnings count as errors) but 6.2.11 (a
//                  canonical URL: a document made on a maker's machine does not know where
//                  it will be published); the informative tests (6.3.x) are left out: they
//                  fetch URLs and run hunspell
//
// After the schema, a few consistency rules that a schema cannot express are
// checked too (references point at things that exist, identifiers are unique).
// Exit status: 0 every file valid, 1 some file invalid (errors on stderr),
// 2 usage error or the validators are not installed (`npm ci --prefix tests/validate`).
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const SRC = resolve(HERE, '..', '..')
const SCHEMAS = join(SRC, 'tests', 'data', 'schemas')
const MAX_ERRORS = 40

function die (code, msg) {
  process.stderr.write(`validate.mjs: ${msg}\n`)
  process.exit(code)
}

function readJson (path) {
  return JSON.parse(readFileSync(path, 'utf8'))
}

async function load (name) {
  try {
    const m = await import(name)
    return m.default ?? m
  } catch (e) {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
      die(2, `the npm package '${name}' is not installed: run \`npm ci --prefix tests/validate\` ` +
        `in the source tree (${SRC})`)
    }
    throw e
  }
}

// Options the CycloneDX library uses for its own Ajv validator: no defaults
// written into the data, no remote schemas, unknown keywords tolerated.
const AJV_OPTIONS = Object.freeze({
  useDefaults: false,
  strict: false,
  strictSchema: false,
  allErrors: true,
  loadSchema: (uri) => { throw new Error(`remote schemas are disabled: ${uri}`) }
})

async function addFormats (ajv) {
  const formats = await load('ajv-formats')
  formats(ajv)
  return ajv
}

function ajvErrors (errors) {
  return (errors ?? []).map(e => {
    const where = e.instancePath === '' ? '(document)' : e.instancePath
    const extra = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''
    return `${where}: ${e.message}${extra}`
  })
}

// --- schema validators: each returns (document, text) -> [error strings] ---

async function cyclonedxValidator () {
  const CDX = await load('@cyclonedx/cyclonedx-library')
  await load('ajv-formats-draft2019') // the library's optional dependency; fail clearly if absent
  const lib = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6)
  const Ajv = await load('ajv')
  const ajv = await addFormats(new Ajv(AJV_OPTIONS))
  const formats2019 = await load('ajv-formats-draft2019')
  formats2019(ajv, { formats: ['idn-email'] })
  ajv.addFormat('iri-reference', true) // as the library does: no working implementation exists
  ajv.addSchema(readJson(join(SCHEMAS, 'spdx.schema.json')))
  ajv.addSchema(readJson(join(SCHEMAS, 'jsf-0.82.schema.json')))
  const check = ajv.compile(readJson(join(SCHEMAS, 'bom-1.6.schema.json')))
  return async (doc, text) => {
    const errs = []
    if (doc.specVersion !== '1.6') errs.push(`/specVersion: must be "1.6", is ${JSON.stringify(doc.specVersion)}`)
    const libErr = await lib.validate(text)
    if (libErr !== null) {
      errs.push(...(Array.isArray(libErr) ? ajvErrors(libErr) : [JSON.stringify(libErr)])
        .map(s => `JsonStrictValidator: ${s}`))
    }
    if (!check(doc)) errs.push(...ajvErrors(check.errors).map(s => `bom-1.6.schema.json: ${s}`))
    return errs.concat(cyclonedxConsistency(doc))
  }
}

async function spdxValidator () {
  const Ajv2019 = await load('ajv/dist/2019.js')
  const ajv = await addFormats(new Ajv2019(AJV_OPTIONS))
  const check = ajv.compile(readJson(join(SCHEMAS, 'spdx-2.3-schema.json')))
  return async (doc) => {
    const errs = []
    if (!check(doc)) errs.push(...ajvErrors(check.errors).map(s => `spdx-2.3-schema.json: ${s}`))
    return errs.concat(spdxConsistency(doc))
  }
}

async function sarifValidator () {
  const AjvDraft04 = await load('ajv-draft-04')
  const ajv = await addFormats(new AjvDraft04(AJV_OPTIONS))
  const check = ajv.compile(readJson(join(SCHEMAS, 'sarif-schema-2.1.0.json')))
  return async (doc) => {
    const errs = []
    if (!check(doc)) errs.push(...ajvErrors(check.errors).map(s => `sarif-schema-2.1.0.json: ${s}`))
    return errs.concat(sarifConsistency(doc))
  }
}

async function resultValidator () {
  const Ajv = await load('ajv')
  const ajv = await addFormats(new Ajv(AJV_OPTIONS))
  const check = ajv.compile(readJson(join(SRC, 'docs', 'schema', 'scan-result.schema.json')))
  return async (doc) => {
    const errs = []
    if (!check(doc)) errs.push(...ajvErrors(check.errors).map(s => `scan-result.schema.json: ${s}`))
    return errs.concat(resultConsistency(doc))
  }
}

async function csafValidator () {
  const validateStrict = await load('@secvisogram/csaf-validator-lib/validateStrict.js')
  const schema = await import('@secvisogram/csaf-validator-lib/schemaTests.js')
  const mandatory = await import('@secvisogram/csaf-validator-lib/mandatoryTests.js')
  const optional = await import('@secvisogram/csaf-validator-lib/optionalTests.js')
  const tests = [schema.csaf_2_0_strict, ...Object.values(mandatory),
    ...Object.values(optional).filter(t => t.name !== 'optionalTest_6_2_11')]
  return async (doc) => {
    const res = await validateStrict(tests, doc)
    const errs = []
    for (const t of res.tests ?? []) {
      for (const e of [...(t.errors ?? []), ...(t.warnings ?? [])]) {
        errs.push(`${t.name}: ${e.instancePath || '(document)'}: ${e.message}`)
      }
    }
    if (!res.isValid && errs.length === 0) errs.push('not valid (no message from the validator)')
    if (doc.document?.category !== 'csaf_vex') errs.push(`/document/category: must be "csaf_vex", is ${JSON.stringify(doc.document?.category)}`)
    return errs
  }
}

// --- consistency rules (what the specifications say but schemas cannot check) ---

function uniqueIds (ids, what) {
  const seen = new Set()
  const errs = []
  for (const id of ids) {
    if (seen.has(id)) errs.push(`${what} ${JSON.stringify(id)} is not unique`)
    seen.add(id)
  }
  return [errs, seen]
}

function cyclonedxConsistency (doc) {
  const refs = []
  const walk = (cs) => (cs ?? []).forEach(c => { if (c['bom-ref'] !== undefined) refs.push(c['bom-ref']); walk(c.components) })
  const walkServices = (ss) => (ss ?? []).forEach(s => { if (s['bom-ref'] !== undefined) refs.push(s['bom-ref']); walkServices(s.services) })
  if (doc.metadata?.component?.['bom-ref'] !== undefined) refs.push(doc.metadata.component['bom-ref'])
  walk(doc.components)
  walkServices(doc.services)
  const [errs, known] = uniqueIds(refs, 'bom-ref')
  for (const [i, d] of (doc.dependencies ?? []).entries()) {
    if (!known.has(d.ref)) errs.push(`/dependencies/${i}/ref: ${JSON.stringify(d.ref)} names no component`)
    for (const r of d.dependsOn ?? []) {
      if (!known.has(r)) errs.push(`/dependencies/${i}/dependsOn: ${JSON.stringify(r)} names no component`)
    }
  }
  return errs
}

function spdxConsistency (doc) {
  const ids = ['SPDXRef-DOCUMENT']
  for (const key of ['packages', 'files', 'snippets']) (doc[key] ?? []).forEach(x => ids.push(x.SPDXID))
  const [errs, known] = uniqueIds(ids, 'SPDXID')
  const idPattern = /^SPDXRef-[A-Za-z0-9.-]+$/
  for (const id of known) if (!idPattern.test(id)) errs.push(`SPDXID ${JSON.stringify(id)} does not match SPDXRef-[idstring]`)
  for (const [i, r] of (doc.relationships ?? []).entries()) {
    for (const k of ['spdxElementId', 'relatedSpdxElement']) {
      const v = r[k]
      const external = typeof v === 'string' && v.startsWith('DocumentRef-')
      if (v !== 'NOASSERTION' && v !== 'NONE' && !external && !known.has(v)) errs.push(`/relationships/${i}/${k}: ${JSON.stringify(v)} names no element`)
    }
  }
  const describes = (doc.documentDescribes ?? []).length > 0 ||
    (doc.relationships ?? []).some(r => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES')
  if (!describes) errs.push('the document DESCRIBES nothing (no documentDescribes, no DESCRIBES relationship)')
  for (const [i, p] of (doc.packages ?? []).entries()) {
    const at = `/packages/${i}`
    if (p.supplier !== undefined && !/^(NOASSERTION|(Person|Organization): .+)$/s.test(p.supplier)) {
      errs.push(`${at}/supplier: must be NOASSERTION, "Person: ..." or "Organization: ..."`)
    }
    for (const [k, c] of (p.checksums ?? []).entries()) {
      const len = { SHA1: 40, SHA224: 56, SHA256: 64, SHA384: 96, SHA512: 128, MD5: 32 }[c.algorithm]
      if (len && !new RegExp(`^[0-9a-f]{${len}}$`).test(c.checksumValue)) {
        errs.push(`${at}/checksums/${k}: not a lower-case hex ${c.algorithm} digest`)
      }
    }
    for (const [k, r] of (p.externalRefs ?? []).entries()) {
      if (r.referenceType === 'cpe23Type' && !r.referenceLocator.startsWith('cpe:2.3:')) errs.push(`${at}/externalRefs/${k}: not a CPE 2.3 name`)
      if (r.referenceType === 'purl' && !r.referenceLocator.startsWith('pkg:')) errs.push(`${at}/externalRefs/${k}: not a package URL`)
    }
  }
  if (doc.creationInfo && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(doc.creationInfo.created ?? '')) {
    errs.push('/creationInfo/created: must be YYYY-MM-DDThh:mm:ssZ')
  }
  return errs
}

function sarifConsistency (doc) {
  const errs = []
  for (const [r, run] of (doc.runs ?? []).entries()) {
    const rules = run.tool?.driver?.rules ?? []
    errs.push(...uniqueIds(rules.map(x => x.id), `/runs/${r} rule id`)[0])
    for (const [i, res] of (run.results ?? []).entries()) {
      const at = `/runs/${r}/results/${i}`
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId) {
        errs.push(`${at}/ruleIndex: ${res.ruleIndex} does not name rule ${JSON.stringify(res.ruleId)}`)
      }
    }
  }
  return errs
}

function resultConsistency (doc) {
  const [errs, known] = uniqueIds((doc.components ?? []).map(c => c.bom_ref), 'bom_ref')
  for (const [i, c] of (doc.components ?? []).entries()) {
    for (const d of c.depends ?? []) if (!known.has(d)) errs.push(`/components/${i}/depends: ${JSON.stringify(d)} names no component`)
  }
  const checks = new Set((doc.checks ?? []).map(c => c.id))
  for (const [i, f] of (doc.findings ?? []).entries()) {
    if (!checks.has(f.check)) errs.push(`/findings/${i}/check: ${JSON.stringify(f.check)} is not in checks[]`)
  }
  return errs
}

const KINDS = { cyclonedx: cyclonedxValidator, spdx: spdxValidator, sarif: sarifValidator, result: resultValidator, csaf: csafValidator }

async function main (argv) {
  const [kind, ...files] = argv
  if (!KINDS[kind] || files.length === 0) {
    die(2, `usage: node validate.mjs ${Object.keys(KINDS).join('|')} FILE...`)
  }
  const validate = await KINDS[kind]()
  let bad = 0
  for (const file of files) {
    let text, doc
    try {
      text = readFileSync(file, 'utf8')
      doc = JSON.parse(text)
    } catch (e) {
      process.stderr.write(`${file}: INVALID ${kind}: not readable JSON: ${e.message}\n`)
      bad++
      continue
    }
    const errs = await validate(doc, text)
    if (errs.length === 0) {
      process.stdout.write(`${file}: valid ${kind}\n`)
      continue
    }
    bad++
    process.stderr.write(`${file}: INVALID ${kind} (${errs.length} error${errs.length > 1 ? 's' : ''})\n`)
    for (const e of errs.slice(0, MAX_ERRORS)) process.stderr.write(`  ${e}\n`)
    if (errs.length > MAX_ERRORS) process.stderr.write(`  ... and ${errs.length - MAX_ERRORS} more\n`)
  }
  return bad ? 1 : 0
}

process.exitCode = await main(process.argv.slice(2))
