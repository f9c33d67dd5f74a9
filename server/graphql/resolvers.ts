/** Every resolver class of the schema. Features add their own lines here. */
import { RegionsResolver } from '../regions/regions.resolver';
import { UnitsResolver } from '../units/units.resolver';
import { AccountServiceResolver, AccountsResolver, PostResolver } from '../accounts/accounts.resolver';
import { MatrixResolver } from '../matrix/matrix.resolver';

export const RESOLVERS = [RegionsResolver, UnitsResolver, AccountsResolver, AccountServiceResolver, PostResolver, MatrixResolver] as const;
