import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { Context } from '../kernel/context';
import { PolicyInfo, PolicyVersion } from './policy.types';
import { policyService } from './policy.service';

@Resolver(() => PolicyInfo)
export class PolicyResolver {
  @Query(() => PolicyInfo, { description: '某区划适用的检查政策（市县按所在省）' })
  async policy(@Ctx() ctx: Context, @Arg('regionCode', () => String, { defaultValue: '0' }) regionCode: string): Promise<PolicyInfo> {
    return (await policyService.get(ctx, regionCode)) as unknown as PolicyInfo;
  }

  @Query(() => [PolicyVersion], { description: '全国（0）或某省政策的全部版本，最新在前' })
  async policyHistory(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string): Promise<PolicyVersion[]> {
    return policyService.history(ctx, regionCode);
  }

  @Mutation(() => PolicyInfo, { description: '保存全国（0）或某省的覆盖设置为新版本（整体替换该区划的覆盖设置；仅管理员）' })
  async updatePolicy(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string,
    @Arg('settings', () => GraphQLJSONObject, { validate: false }) settings: Record<string, unknown>,
    @Arg('note', () => String, { nullable: true }) note?: string | null): Promise<PolicyInfo> {
    return (await policyService.update(ctx, regionCode, settings, note)) as unknown as PolicyInfo;
  }
}
