#!/usr/bin/env node
// Lints Cypher statements with Neo4j's own parser and semantic analysis
// (@neo4j-cypher/language-support, lintCypherQuery) against kgqa's graph schema.
//
// stdin:  {"statements": [{"id": "...", "query": "...", "params": {...}?}], "schema": {...}?}
//         "params" (names -> example values) declares the statement's parameters; without it,
//         "parameter not defined" diagnostics are dropped. "schema" overrides schema.json keys.
// stdout: {"results": [{"id", "ok", "diagnostics": [{"severity", "message", "start", "end"}]}],
//          "checked": n, "failed": n}
// exit:   0 all clean, 1 some statement has a diagnostic (error or warning), 2 bad input.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, isNotParamError, testData } from '@neo4j-cypher/language-support';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function fail(message) {
  process.stderr.write(`cypher-lint: ${message}\n`);
  process.exit(2);
}

/** Neo4j's registry of procedures/functions for one Cypher version (from the package). */
function registry(kind, version) {
  const reg = testData.mockSchema[kind]?.[version];
  if (!reg) fail(`no ${kind} registry for ${version} in @neo4j-cypher/language-support`);
  return reg;
}

/** The DbSchema lintCypherQuery wants: only the listed procedures, built-in functions. */
function buildSchema(spec) {
  const version = spec.defaultLanguage ?? 'CYPHER 5';
  const allProcedures = registry('procedures', version);
  const allFunctions = registry('functions', version);
  const procedures = {};
  for (const name of spec.procedures ?? []) {
    if (!allProcedures[name]) fail(`schema lists unknown procedure ${name} (not in Neo4j ${version})`);
    procedures[name] = allProcedures[name];
  }
  let functions = {};
  if (spec.functions === 'builtin') {
    for (const [name, fn] of Object.entries(allFunctions)) if (fn.isBuiltIn) functions[name] = fn;
  } else {
    for (const name of spec.functions ?? []) {
      if (!allFunctions[name]) fail(`schema lists unknown function ${name} (not in Neo4j ${version})`);
      functions[name] = allFunctions[name];
    }
  }
  return {
    labels: spec.labels ?? [],
    relationshipTypes: spec.relationshipTypes ?? [],
    propertyKeys: spec.propertyKeys ?? [],
    procedures: { [version]: procedures },
    functions: { [version]: functions },
    defaultLanguage: version,
  };
}

function lintOne(statement, schema) {
  if (typeof statement?.query !== 'string') fail(`statement ${JSON.stringify(statement?.id)} has no query string`);
  const declared = statement.params !== undefined;
  const withParams = declared ? { ...schema, parameters: statement.params } : schema;
  const { diagnostics } = lintCypherQuery(statement.query, withParams);
  const kept = declared ? diagnostics : diagnostics.filter(isNotParamError);
  return {
    id: statement.id ?? null,
    ok: kept.length === 0,
    diagnostics: kept.map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      start: d.offsets?.start ?? null,
      end: d.offsets?.end ?? null,
    })),
  };
}

let input;
try {
  input = JSON.parse(readFileSync(0, 'utf8'));
} catch (err) {
  fail(`stdin is not JSON: ${err.message}`);
}
if (!Array.isArray(input?.statements)) fail('stdin JSON needs a "statements" array');

const base = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8'));
const schema = buildSchema({ ...base, ...(input.schema ?? {}) });
const results = input.statements.map((s) => lintOne(s, schema));
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(JSON.stringify({ results, checked: results.length, failed }) + '\n');
process.exit(failed ? 1 : 0);
