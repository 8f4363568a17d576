// Validate JSON files against a JSON Schema (draft-07) with Ajv and ajv-formats,
// e.g. the provisions catalogue against docs/schema/catalogue.schema.json.
//
//   node tests/validate/validate-schema.mjs SCHEMA FILE...
//
// Exit status: 0 every file valid, 1 some file invalid (errors on stderr, each with
// the file and the JSON path), 2 usage error, unreadable input or Ajv not installed
// (`npm ci --prefix tests/validate`).
import { readFileSync } from 'node:fs'

const MAX_ERRORS = 40

function die (code, msg) {
  process.stderr.write(`validate-schema.mjs: ${msg}\n`)
  process.exit(code)
}

async function load (name) {
  try {
    const m = await import(name)
    return m.default ?? m
  } catch (e) {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
      die(2, `the npm package '${name}' is not installed: run \`npm ci --prefix tests/validate\``)
    }
    throw e
  }
}

function readJson (path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    die(2, `${path}: ${e.message}`)
  }
}

const [schemaPath, ...files] = process.argv.slice(2)
if (!schemaPath || files.length === 0) die(2, 'usage: validate-schema.mjs SCHEMA FILE...')

const Ajv = await load('ajv')
const addFormats = await load('ajv-formats')
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false })
addFormats(ajv)
let validate
try {
  validate = ajv.compile(readJson(schemaPath))
} catch (e) {
  die(2, `${schemaPath}: not a usable schema: ${e.message}`)
}
let bad = 0
for (const f of files) {
  if (validate(readJson(f))) {
    process.stdout.write(`${f}: valid\n`)
    continue
  }
  bad++
  for (const err of validate.errors.slice(0, MAX_ERRORS)) {
    process.stderr.write(`${f}: ${err.instancePath || '/'}: ${err.message}` +
      `${err.params && Object.keys(err.params).length ? ' ' + JSON.stringify(err.params) : ''}\n`)
  }
}
process.exit(bad ? 1 : 0)
