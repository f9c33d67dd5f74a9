import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage, type ClassType, type NonEmptyArray } from 'type-graphql';
import { ROOT } from '../config';
import { guardStringArguments } from './strings';

export const SCHEMA_FILE = path.join(ROOT, 'schema', 'schema.graphql');

/** The resolver classes the schema is built from (server/registry.ts lists them); type-graphql needs at least one. */
export type Resolvers = NonEmptyArray<ClassType>;

let built: Promise<GraphQLSchema> | undefined;

/**
 * Builds the schema once per process from the resolvers the composition root (server/registry.ts) hands in
 * (type-graphql metadata is global, so later calls return the first build).
 */
export function getSchema(resolvers: Resolvers): Promise<GraphQLSchema> {
  built ??= buildWithSimpleResolvers(resolvers);
  return built;
}

/**
 * Plain object fields (no @FieldResolver) resolve with graphql-js's default resolver instead of type-graphql's
 * middleware wrapper: the same as `@ObjectType({ simpleResolvers: true })` on every type that does not say otherwise.
 * There is no global middleware: the string-argument check (guardStringArguments) wraps only fields that take
 * arguments, synchronously, after the build — it removes a closure call and a promise-ish check per leaf field (issue 6)
 * and two async closures per argument-less field resolver such as a unit's `children` (issue 14).
 */
function buildWithSimpleResolvers(resolvers: Resolvers): Promise<GraphQLSchema> {
  for (const t of getMetadataStorage().objectTypes) (t as { simpleResolvers?: boolean }).simpleResolvers ??= true;
  return buildSchema({
    resolvers,
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  }).then(guardStringArguments);
}

/** The committed SDL: sorted, with a header, so it is stable whatever the order resolvers are registered in. */
export function schemaSdl(schema: GraphQLSchema): string {
  return `# 本文件由服务端代码生成，请勿手工修改：npm run schema\n# Generated from the server code by \`npm run schema\`; do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

export async function emitSchema(resolvers: Resolvers): Promise<string> {
  const sdl = schemaSdl(await getSchema(resolvers));
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, sdl);
  return SCHEMA_FILE;
}
