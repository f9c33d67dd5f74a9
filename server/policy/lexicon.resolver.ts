import { Arg, Args, Ctx, Field, InputType, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Connection, PageArgs, decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { badInput } from '../kernel/errors';
import { lexiconService, type LexiconEntryView } from './lexicon.service';

/** The 错敏 lexicon of a province, browsable and editable (ADMIN, region in scope) — see lexicon.service.ts. */

const MAX_PAGE = 500;

@ObjectType('LexiconEdit', { description: '词条最近一次修改' })
class LexiconLastEdit {
  @Field(() => String, { description: '修改所属区划：0 = 全国，或省级代码' }) regionCode: string;
  @Field(() => Int) version: number;
  @Field(() => String, { description: 'add / disable / enable' }) op: string;
  @Field(() => String) reason: string;
}

@ObjectType({ description: '错敏词库词条（错误表述或偏离职能标记）' })
export class LexiconEntry {
  @Field(() => String, { description: 'expression = 错误表述；marker = 偏离职能标记' }) type: string;
  @Field(() => String, { description: '错误表述或标记词' }) term: string;
  @Field(() => String, { nullable: true, description: '正确表述（多个以 / 分隔）' }) correct: string | null;
  @Field(() => String, { nullable: true, description: 'formulation / body / law / title / sensitive / typo' }) kind: string | null;
  @Field(() => String, { nullable: true, description: 'serious = 严重（一票否决）；general = 一般（扣分）' }) severity: string | null;
  @Field(() => String, { nullable: true, description: '偏离职能类别：celebrity / advertising / likes / baiting / gossip / gambling' }) category: string | null;
  @Field(() => [String], { description: '属于这些单位职能的标记不算偏离职能' }) fields: string[];
  @Field(() => String, { description: 'shipped = 内置；national = 全国新增；province = 本省新增' }) source: string;
  @Field(() => Boolean, { description: '是否对该省生效' }) enabled: boolean;
  @Field(() => LexiconLastEdit, { nullable: true }) lastEdit: LexiconLastEdit | null;
}

@ObjectType()
export class LexiconEntryConnection extends Connection(LexiconEntry, 'LexiconEntry') {}

@InputType({ description: '词库修改：新增、停用或重新启用一个词条（必须说明理由）' })
export class LexiconEditInput {
  @Field(() => String, { description: 'add / disable / enable' }) op: 'add' | 'disable' | 'enable';
  @Field(() => String) term: string;
  @Field(() => String) reason: string;
  @Field(() => String, { nullable: true, description: '新增时：expression 或 marker' }) type?: 'expression' | 'marker' | null;
  @Field(() => String, { nullable: true }) correct?: string | null;
  @Field(() => [String], { nullable: true }) allowed?: string[] | null;
  @Field(() => String, { nullable: true }) kind?: string | null;
  @Field(() => String, { nullable: true }) severity?: string | null;
  @Field(() => Boolean, { nullable: true }) wholeWord?: boolean | null;
  @Field(() => String, { nullable: true }) category?: string | null;
  @Field(() => [String], { nullable: true }) fields?: string[] | null;
}

@ObjectType({ description: '词库修改结果' })
class LexiconEditResult {
  @Field(() => String) regionCode: string;
  @Field(() => Int, { description: '该区划词库的新版本号' }) version: number;
  @Field(() => LexiconEntry, { nullable: true, description: '修改后的词条' }) entry: LexiconEntry | null;
}

const TYPES = ['expression', 'marker'];

@Resolver(() => LexiconEntry)
export class LexiconResolver {
  @Query(() => LexiconEntryConnection, { description: '某区划所在省的错敏词库：内置、全国和本省新增的词条及其启用状态，可搜索、分页' })
  async contentLexicon(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('search', () => String, { nullable: true }) search?: string | null,
    @Arg('type', () => String, { nullable: true, description: 'expression 或 marker' }) type?: string | null): Promise<ConnectionShape<LexiconEntryView>> {
    if (type && !TYPES.includes(type)) throw badInput('type 应为 expression 或 marker (type must be expression or marker)', [{ field: 'type', message: '应为 expression 或 marker' }]);
    const limit = pageSize(page.first, MAX_PAGE);
    const cursor = decodeCursor(page.after, 2) as [string, string] | null;
    const rows = await lexiconService.entries(ctx, regionCode, { search, type: type as 'expression' | 'marker' | null });
    const key = (r: LexiconEntryView) => `${r.type === 'expression' ? 0 : 1}\u0000${r.term}`;
    const from = cursor ? rows.findIndex((r) => key(r) > `${cursor[0] === 'expression' ? 0 : 1}\u0000${cursor[1]}`) : 0;
    const rest = from < 0 ? [] : rows.slice(from);
    return toConnection(rest.slice(0, limit + 1), limit, (r) => [r.type, r.term], cursor !== null, async () => rows.length);
  }

  @Mutation(() => LexiconEditResult, { description: '新增、停用或重新启用全国（0）或某省的一个词条，须说明理由（仅管理员，区划在其范围内）' })
  async editLexiconEntry(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string,
    @Arg('input', () => LexiconEditInput) input: LexiconEditInput): Promise<LexiconEditResult> {
    const { op, term, reason, type, ...rest } = input;
    const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined));
    const { version } = await lexiconService.edit(ctx, regionCode, {
      op, term, reason, entry: op === 'add' ? ({ type, ...clean } as never) : null,
    });
    const entries = await lexiconService.entries(ctx, regionCode, {});
    const t = term.trim();
    return { regionCode, version, entry: (entries.find((e) => e.term === t && (!type || e.type === type)) ?? null) as LexiconEntry | null };
  }
}
