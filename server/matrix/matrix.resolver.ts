import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { Matrix } from './matrix.types';
import { matrixService } from './matrix.service';

@Resolver(() => Matrix)
export class MatrixResolver {
  @Query(() => Matrix, { description: '某区划的账号矩阵：行为下级区划（或末级区划的单位），列为平台' })
  matrix(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string): Promise<Matrix> {
    return matrixService.matrix(ctx, regionCode);
  }
}
