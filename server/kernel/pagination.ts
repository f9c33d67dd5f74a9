import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badInput } from './errors';

/** Relay-style cursor connections. Cursors are opaque base64url JSON of the keyset values of the last row. */

@ObjectType({ description: '分页信息' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => Boolean)
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: '每页条数（默认 20，最大见服务器配置，默认 100）' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: '上一页最后一条的游标' })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** A getter: the count query runs only when `totalCount` is selected. */
  readonly totalCount: Promise<number>;
}

/** Builds `XConnection` and `XEdge` object types for a node type. `totalCount` is resolved by a field resolver. */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor: string;

    @Field(() => node)
    node: T;
  }

  // Abstract base: only the named subclass (`@ObjectType() class XConnection extends Connection(X, 'X')`) is emitted.
  @ObjectType()
  abstract class ConnectionType {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: '符合条件的总数' })
    totalCount: number;
  }
  return ConnectionType;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): unknown[] | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch {
    /* fall through */
  }
  throw badInput(`游标 after 无效，请从第一页重新查询 (invalid cursor)`, [{ field: 'after', message: '无效的游标' }]);
}

export const DEFAULT_PAGE_SIZE = 20;

/** Validates `first` against the configured maximum page size. */
export function pageSize(first: number | null | undefined, max: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`first 应在 1 到 ${max} 之间，收到 ${first} (page size must be 1..${max})`, [
      { field: 'first', message: `最大每页 ${max} 条` },
    ]);
  }
  return first;
}

/** Turns `limit + 1` fetched rows into a connection. */
export function toConnection<T>(rows: T[], limit: number, cursorOf: (row: T) => unknown[], hadCursor: boolean,
  countTotal: () => Promise<number>): ConnectionShape<T> {
  const hasNextPage = rows.length > limit;
  const page = hasNextPage ? rows.slice(0, limit) : rows;
  const edges = page.map((node) => ({ node, cursor: encodeCursor(cursorOf(node)) }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      // A first page shorter than the limit is the whole result: no count query needed.
      if (!hadCursor && !hasNextPage) return Promise.resolve(edges.length);
      return (counted ??= countTotal());
    },
  };
}
