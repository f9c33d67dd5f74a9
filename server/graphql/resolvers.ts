/** Every resolver class of the schema. Features add their own lines here. */
import { RegionsResolver } from '../regions/regions.resolver';
import { UnitsResolver } from '../units/units.resolver';
import { AccountServiceResolver, AccountsResolver, PostResolver } from '../accounts/accounts.resolver';
import { MatrixResolver } from '../matrix/matrix.resolver';
import { AccountActivityResolver } from '../accounts/account-activity';
import { AccountDetectionResolver, DetectionResolver } from '../detection/detection.resolver';
import { PolicyResolver } from '../policy/policy.resolver';
import { ImportResolver } from '../import/import.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { PlansResolver } from '../plans/plans.resolver';
import { AccountPlansResolver, ApprovalRequestResolver, ApprovalResolver, ExecutionStepResolver, FindingPlansResolver, PlanActionResolver } from '../plans/plan-parts.resolver';

export const RESOLVERS = [RegionsResolver, UnitsResolver, AccountsResolver, AccountServiceResolver, PostResolver, MatrixResolver, ImportResolver, AuthResolver, AuditResolver, DetectionResolver, AccountDetectionResolver, PolicyResolver,
  PlansResolver, PlanActionResolver, ApprovalRequestResolver, ApprovalResolver, ExecutionStepResolver, AccountPlansResolver, FindingPlansResolver,
  AccountActivityResolver] as const;
