#!/usr/bin/env node
// The counts issue 8 ("one contract") asks for, measured on the working tree:
//
//   node scripts/contract-counts.mjs            a table
//   node scripts/contract-counts.mjs --list     the table, then every finding as file:line
//   node scripts/contract-counts.mjs --json     { counts: {...}, findings: {...} }
//
// Every count is meant to reach 0. They are read from the TypeScript syntax tree (comments and
// strings never match by accident), except the last, which looks at the build output: run
// `npm run build` first for it to mean anything. Definitions: docs/development.md.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, 'packages');
const args = new Set(process.argv.slice(2));

/** Repository-relative, always with forward slashes (stable output on every platform). */
const rel = (path) => relative(root, path).split(sep).join('/');

function walk(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : walk(path, keep);
    return keep(path) ? [path] : [];
  });
}

const isTest = (path) => /\.(test|spec)\.tsx?$/.test(path);
const isSource = (path) => /\.tsx?$/.test(path) && !path.endsWith('.d.ts') && !isTest(path);
const packages = readdirSync(packagesDir).filter((p) =>
  statSync(join(packagesDir, p)).isDirectory(),
);

/** Non-test TypeScript sources of `packages/<pkg>/src`, for every package or the ones given. */
function sources(only = packages) {
  return only.flatMap((p) => walk(join(packagesDir, p, 'src'), isSource));
}

const parsed = new Map();
function parse(path) {
  let file = parsed.get(path);
  if (!file) {
    const kind = path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    file = ts.createSourceFile(
      path,
      readFileSync(path, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
      kind,
    );
    parsed.set(path, file);
  }
  return file;
}

function visit(node, fn) {
  fn(node);
  ts.forEachChild(node, (child) => visit(child, fn));
}

/** `file:line` of a node. */
function at(file, node) {
  const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return `${rel(file.fileName)}:${line + 1}`;
}

// 1. Path strings in the client: literals in api-client.ts that start with '/'. The client
//    should take its paths from the operation table, so none remain.
function clientPathStrings() {
  const path = join(packagesDir, 'protocol', 'src', 'http', 'api-client.ts');
  if (!existsSync(path)) throw new Error(`${path} is gone: point this script at the client`);
  const file = parse(path);
  const found = [];
  visit(file, (node) => {
    const text =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateExpression(node)
          ? node.head.text
          : undefined;
    if (text?.startsWith('/')) found.push(`${at(file, node)} ${text}`);
  });
  return found;
}

// 2. `as` casts: every type assertion (`x as T`, `<T>x`) except `as const` in package sources.
//    Not every one is on outside data, but each is a claim the compiler cannot check; the list
//    is the review queue.
function asCasts() {
  const found = [];
  for (const path of sources()) {
    const file = parse(path);
    visit(file, (node) => {
      if (!ts.isAsExpression(node) && !ts.isTypeAssertionExpression(node)) return;
      const type = node.type;
      const isConst =
        ts.isTypeReferenceNode(type) &&
        ts.isIdentifier(type.typeName) &&
        type.typeName.text === 'const';
      if (!isConst) found.push(`${at(file, node)} as ${type.getText(file).replace(/\s+/g, ' ')}`);
    });
  }
  return found;
}

// 2b. `as` on outside data: the lint (consistent-type-assertions 'never', ADR 0018) refuses every
//     assertion unless the line before says why it is not outside data
//     (`eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- <why>`); an
//     assertion without that reason, or whose reason says OUTSIDE DATA, counts here.
const JUSTIFIED =
  /eslint-disable-next-line [^\n]*@typescript-eslint\/consistent-type-assertions[^\n]*? -- (.+)/;
function asOnOutsideData() {
  const found = [];
  for (const path of sources()) {
    const lines = readFileSync(path, 'utf8').split('\n');
    const file = parse(path);
    visit(file, (node) => {
      if (!ts.isAsExpression(node) && !ts.isTypeAssertionExpression(node)) return;
      const type = node.type;
      if (
        ts.isTypeReferenceNode(type) &&
        ts.isIdentifier(type.typeName) &&
        type.typeName.text === 'const'
      )
        return;
      const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      // The disable comment sits on one of the lines just above the statement holding the cast.
      const above = lines.slice(Math.max(0, line - 4), line + 1).join('\n');
      const why = JUSTIFIED.exec(above)?.[1];
      if (why === undefined || /OUTSIDE DATA/.test(why))
        found.push(`${at(file, node)} as ${type.getText(file).replace(/\s+/g, ' ')}`);
    });
  }
  return found;
}

// 3. Numeric status-message ids outside the catalog: a number literal equal to a catalog id in
//    any package source but the catalog itself (status-catalog.test.ts checks server, agent and
//    simulator the same way; this covers every package).
function catalogIds(catalog) {
  const ids = new Set();
  visit(parse(catalog), (node) => {
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'id' &&
      ts.isNumericLiteral(node.initializer)
    )
      ids.add(Number(node.initializer.text));
  });
  return ids;
}

function numericStatusIds() {
  const catalog = join(packagesDir, 'protocol', 'src', 'status', 'catalog.ts');
  if (!existsSync(catalog)) throw new Error(`${catalog} is gone: point this script at the catalog`);
  const ids = catalogIds(catalog);
  const found = [];
  for (const path of sources()) {
    if (path === catalog) continue;
    const file = parse(path);
    visit(file, (node) => {
      if (ts.isNumericLiteral(node) && ids.has(Number(node.text)))
        found.push(`${at(file, node)} ${node.text}`);
    });
  }
  return found;
}

// 4. Query-builder calls outside repository files in the server: the same calls the lint rule
//    of ADR 0017 refuses (selectFrom, insertInto, updateTable, deleteFrom, replaceInto,
//    mergeInto, sql`...` and sql.*(...)), outside repository.ts, *-repository.ts, repository/
//    and db/. Counted per call, not per file.
const QUERY_BUILDER = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
]);

export function isRepositoryFile(path) {
  const p = rel(path);
  const name = basename(p);
  return (
    name === 'repository.ts' ||
    name.endsWith('-repository.ts') ||
    p.includes('/repository/') ||
    p.startsWith('packages/server/src/db/')
  );
}

function queryBuilderCalls() {
  const found = [];
  for (const path of sources(['server'])) {
    if (isRepositoryFile(path)) continue;
    const file = parse(path);
    visit(file, (node) => {
      let what;
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const { expression: object, name } = node.expression;
        if (QUERY_BUILDER.has(name.text)) what = `${name.text}()`;
        else if (ts.isIdentifier(object) && object.text === 'sql') what = `sql.${name.text}()`;
      } else if (
        ts.isTaggedTemplateExpression(node) &&
        ts.isIdentifier(node.tag) &&
        node.tag.text === 'sql'
      ) {
        what = 'sql`...`';
      }
      if (what) found.push(`${at(file, node)} ${what}`);
    });
  }
  return found;
}

// 5. Params/query schemas defined in server route files: a `params:` or `querystring:` of a
//    route's `schema: {...}` whose value is a TypeBox call (`Type.Object(...)`, ...) written in
//    that file, inline or in a local const. Schemas imported from the protocol do not count.
//    Each local definition counts once, however many routes use it.
function localTypeBoxSchemas(file) {
  const consts = new Map();
  visit(file, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer)
      consts.set(node.name.text, node.initializer);
  });
  return consts;
}

const isTypeBoxCall = (node) =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  ts.isIdentifier(node.expression.expression) &&
  node.expression.expression.text === 'Type';

function routeSchemas() {
  const found = [];
  for (const path of sources(['server'])) {
    const file = parse(path);
    const consts = localTypeBoxSchemas(file);
    const seen = new Set();
    visit(file, (node) => {
      if (
        !ts.isPropertyAssignment(node) ||
        !ts.isIdentifier(node.name) ||
        !['params', 'querystring'].includes(node.name.text)
      )
        return;
      const schemaObject = node.parent;
      const holder = schemaObject.parent;
      const inRouteSchema =
        ts.isObjectLiteralExpression(schemaObject) &&
        ts.isPropertyAssignment(holder) &&
        ts.isIdentifier(holder.name) &&
        holder.name.text === 'schema';
      if (!inRouteSchema) return;
      const value = node.initializer;
      const definition = ts.isIdentifier(value) ? consts.get(value.text) : value;
      if (!definition || !isTypeBoxCall(definition) || seen.has(definition)) return;
      seen.add(definition);
      const name = ts.isIdentifier(value) ? value.text : 'inline';
      found.push(`${at(file, definition)} ${node.name.text}: ${name}`);
    });
  }
  return found;
}

// 6. Test-only modules compiled into dist: a file of packages/*/dist whose source is a test or
//    test support (by its source path, or by its own name when the source is gone or the
//    package is bundled). Needs a build first.
const TEST_ONLY =
  /(^|\/)(test|tests|__tests__|__fixtures__|test-support|fixtures?)(\/|$)|(^|\/)test-[^/]*$|fixtures?\.[^/]*$|\.(test|spec)\.[^/]*$/;

function testModulesInDist() {
  const found = [];
  for (const p of packages) {
    const dist = join(packagesDir, p, 'dist');
    for (const path of walk(dist, (f) => /\.(m?js|d\.ts)$/.test(f))) {
      const inDist = relative(dist, path).split(sep).join('/');
      const stem = inDist.replace(/\.d\.ts$|\.m?js$/, '');
      const source = ['.ts', '.tsx']
        .map((ext) => join(packagesDir, p, 'src', stem + ext))
        .find((s) => existsSync(s));
      const judged = source ? rel(source) : inDist;
      if (TEST_ONLY.test(judged)) found.push(`${rel(path)}${source ? ` <- ${rel(source)}` : ''}`);
    }
  }
  return found;
}

const measures = [
  ['client-path-strings', 'path strings in the client (api-client.ts)', clientPathStrings],
  ['as-casts', '`as` casts in package sources (except `as const`)', asCasts],
  ['as-on-outside-data', '`as` casts on outside data (no stated reason)', asOnOutsideData],
  ['numeric-status-ids', 'numeric status-message ids outside the catalog', numericStatusIds],
  [
    'query-builder-calls',
    'query-builder calls outside repository files (server)',
    queryBuilderCalls,
  ],
  ['route-param-query-schemas', 'params/query schemas defined in server route files', routeSchemas],
  [
    'test-modules-in-dist',
    'test-only modules compiled into dist (after a build)',
    testModulesInDist,
  ],
];

const findings = Object.fromEntries(measures.map(([key, , measure]) => [key, measure()]));
const counts = Object.fromEntries(Object.entries(findings).map(([k, v]) => [k, v.length]));

if (args.has('--json')) {
  console.log(JSON.stringify(args.has('--list') ? { counts, findings } : { counts }, null, 2));
} else {
  const width = Math.max(...measures.map(([, label]) => label.length));
  console.log(`${'measure'.padEnd(width)}  count`);
  console.log(`${'-'.repeat(width)}  -----`);
  for (const [key, label] of measures)
    console.log(`${label.padEnd(width)}  ${String(counts[key]).padStart(5)}`);
  if (args.has('--list')) {
    for (const [key, label] of measures) {
      if (findings[key].length === 0) continue;
      console.log(`\n${label} (${key}):`);
      for (const f of findings[key]) console.log(`  ${f}`);
    }
  }
}
