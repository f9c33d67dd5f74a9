import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Matrix, MatrixLevelRow } from './matrix.types';
import { matrixService } from './matrix.service';
import { readPlanner } from '../reads/planner';
import { selectsAnywhere } from '../reads/selection';

@Resolver(() => Matrix)
export class MatrixResolver {
  @Query(() => Matrix, { description: '某区划的账号矩阵：行为下级区划（或末级区划的单位），列为平台', complexity: 1000 })
  matrix(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string, @Info() info: GraphQLResolveInfo): Promise<Matrix> {
    // Planned: the finding counts join the account counts' statement only when some `openFindings` is selected, the
    // by-level rows when `byLevel` is.
    if (!readPlanner.enabled) return matrixService.matrix(ctx, regionCode);
    return matrixService.matrix(ctx, regionCode, {
      findings: selectsAnywhere(info, 'openFindings', ['byLevel']), levels: selectsAnywhere(info, 'byLevel'),
    });
  }

  @FieldResolver(() => [MatrixLevelRow], { description: '同一区划范围内按主办单位层级 × 平台的账号数（按状态）和待处理问题数' })
  byLevel(@Ctx() ctx: Context, @Root() matrix: Matrix): Promise<MatrixLevelRow[]> {
    return matrixService.byLevel(ctx, matrix);
  }
}
