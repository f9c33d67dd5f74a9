import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLArgument, type GraphQLField,
  type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { getSchema } from '../../server/graphql/schema';
import { schemaParts } from '../../server/registry';

/**
 * Property-based tests (fast-check, fixed seed; FUZZ_RUNS / FUZZ_SEED to run longer or elsewhere): every String and
 * ID argument of every operation, found in the schema — at the top level and inside input objects — gets hostile
 * strings (NUL, lone surrogates, LIKE wildcards, quotes, numbers that are not ids, long and random text); the answer
 * is never INTERNAL_SERVER_ERROR and a refused operation writes nothing. CSV imports get random rows, quoting and
 * cells the same way.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
/** Test timeouts grow with the runs (`npm run bench -- --fuzz` runs 15 times CI's). */
const TIMEOUT = (ms: number) => ms * Math.max(1, RUNS / 4);

let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let schema: GraphQLSchema;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  schema = await getSchema(schemaParts().resolvers);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uFFFF', '%', '_', '\\', "'", '"', "'; DROP TABLE units; --",
    '1e3', '0x10', ' 7', '-1', '0', '99999999999999999999', '', ' ', '\t\n', '35', '0', 'constructor', '__proto__', 'a'.repeat(5000)),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\uD800', '\uDC00')).map(([a, b]) => a + b),
);

/** A plain valid-looking value for an input type (required fields filled), so only the fuzzed argument is odd. */
function plainValue(type: GraphQLInputType, depth = 0): unknown {
  if (isNonNullType(type)) return plainValue(type.ofType, depth);
  if (isListType(type)) return [];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isScalarType(named)) {
    switch (named.name) {
      case 'ID': return '1';
      case 'Int': return 1;
      case 'Float': return 1;
      case 'Boolean': return false;
      case 'JSONObject': return {};
      default: return 'x';
    }
  }
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    if (depth > 3) return out;
    for (const f of Object.values(named.getFields())) if (isNonNullType(f.type)) out[f.name] = plainValue(f.type, depth + 1);
    return out;
  }
  return null;
}

interface Target { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown>; path: string[] }

/** Every String/ID slot of every operation: top-level arguments and input object fields (two levels). */
function targets(s: GraphQLSchema): Target[] {
  const out: Target[] = [];
  const visit = (kind: Target['kind'], field: GraphQLField<unknown, unknown>, type: GraphQLInputType, path: string[], depth: number) => {
    const named = getNamedType(type);
    if (isScalarType(named) && (named.name === 'String' || named.name === 'ID')) out.push({ kind, field, path });
    if (isInputObjectType(named) && depth < 2) for (const f of Object.values(named.getFields())) visit(kind, field, f.type, [...path, f.name], depth + 1);
  };
  for (const [kind, type] of [['query', s.getQueryType()], ['mutation', s.getMutationType()]] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      for (const arg of field.args as readonly GraphQLArgument[]) visit(kind, field, arg.type, [arg.name], 0);
    }
  }
  return out;
}

function operation(t: Target): string {
  const decl = t.field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const use = t.field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(t.field.type);
  const selection = 'getFields' in named ? ' { __typename }' : '';
  return `${t.kind}${decl ? `(${decl})` : ''} { ${t.field.name}${use ? `(${use})` : ''}${selection} }`;
}

function variables(t: Target, value: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const a of t.field.args) vars[a.name] = plainValue(a.type);
  const arg = t.field.args.find((a) => a.name === t.path[0])!;
  const inList = (type: GraphQLInputType): boolean => isNonNullType(type) ? inList(type.ofType) : isListType(type);
  if (t.path.length === 1) {
    vars[t.path[0]] = inList(arg.type) ? [value] : value;
    return vars;
  }
  // Nested: build the input object along the path (lists of inputs get one element).
  let holder = (vars[t.path[0]] ??= {}) as Record<string, unknown>;
  if (Array.isArray(holder)) { const el = plainValue(getNamedType(arg.type) as GraphQLInputType) as Record<string, unknown>; vars[t.path[0]] = [el]; holder = el; }
  for (const key of t.path.slice(1, -1)) holder = (holder[key] ??= {}) as Record<string, unknown>;
  holder[t.path[t.path.length - 1]] = value;
  return vars;
}

async function writes(): Promise<number> {
  const [r] = await db.ds.query(`SELECT (SELECT count(*) FROM audit_events WHERE action NOT LIKE 'LOGIN%')
    + (SELECT count(*) FROM units) + (SELECT count(*) FROM accounts) + (SELECT count(*) FROM plans) + (SELECT count(*) FROM users) AS n`);
  return Number(r.n);
}

describe('every String/ID argument of every operation', () => {
  it('never answers INTERNAL_SERVER_ERROR, and a refusal writes nothing', async () => {
    const all = targets(schema).filter((t) => t.field.name !== 'logout');
    expect(all.length).toBeGreaterThan(40);
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all), hostile, async (t, value) => {
        const before = await writes();
        const res = await gql.exec(operation(t), variables(t, value));
        const codes = (res.errors ?? []).map((e) => e.extensions?.code);
        if (codes.includes('INTERNAL_SERVER_ERROR')) failures.push(`${t.field.name}(${t.path.join('.')}) ← ${JSON.stringify(value).slice(0, 60)}`);
        expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
        if (res.errors?.length) expect(await writes()).toBe(before);
      }),
      { seed: SEED, numRuns: all.length * RUNS, endOnFailure: true },
    );
    expect(failures).toEqual([]);
  }, TIMEOUT(120_000));

  it('NUL or a lone surrogate in any String argument is BAD_USER_INPUT naming it', async () => {
    const all = targets(schema).filter((t) => t.field.name !== 'logout');
    const wrong: string[] = [];
    for (const t of all) {
      for (const bad of ['a\u0000b', 'a\uD800']) {
        const res = await gql.exec(operation(t), variables(t, bad));
        const err = res.errors?.[0];
        // A String slot is refused as BAD_USER_INPUT; an ID slot may also be refused by parseId or a validator.
        if (err?.extensions?.code !== 'BAD_USER_INPUT') wrong.push(`${t.field.name}(${t.path.join('.')}): ${err?.extensions?.code ?? 'accepted'}`);
      }
    }
    expect(wrong).toEqual([]);
  }, TIMEOUT(120_000));
});

const IMPORT = `mutation($files: [CsvFileInput!]!, $dryRun: Boolean) { importCsv(files: $files, dryRun: $dryRun) { ok errorCount } }`;
const UNIT_HEADER = 'code,name,kind,level,parent_code,region_code,supervisor_code';

function csvCell(value: string, quote: boolean): string {
  return quote || /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

describe('CSV import', () => {
  it('random rows, quoting and cells: ok or a list of problems, never INTERNAL_SERVER_ERROR; refused = nothing written', async () => {
    const cell = fc.oneof(hostile, fc.constantFrom('government', 'province', '35', '3501', 'FJ-GOV', '福建省人民政府', ''));
    const row = fc.tuple(fc.array(cell, { minLength: 0, maxLength: 9 }), fc.boolean()).map(([cells, quote]) => cells.map((c) => csvCell(c, quote)).join(','));
    const file = fc.tuple(fc.array(row, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean()).map(([rows, eol, bom, rawQuote]) =>
      `${bom ? '\uFEFF' : ''}${UNIT_HEADER}${eol}${rows.join(eol)}${rawQuote ? '"unterminated' : ''}`);
    await fc.assert(
      fc.asyncProperty(file, fc.boolean(), async (content, dryRun) => {
        const before = await writes();
        const res = await gql.exec(IMPORT, { files: [{ name: 'units.csv', content }], dryRun });
        const codes = (res.errors ?? []).map((e) => e.extensions?.code);
        expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
        if (res.errors?.length || !res.data?.importCsv.ok || dryRun) expect(await writes()).toBe(before);
      }),
      { seed: SEED, numRuns: 40 * RUNS, endOnFailure: true },
    );
  }, TIMEOUT(120_000));
});
