/**
 * The composition root: every feature's entities, migrations, resolvers and per-request loaders, listed explicitly
 * (no globs: globbed .ts files bypass the SWC/tsc transform and lose their decorator metadata). Features add their
 * own lines here; nothing below this file (kernel, db, graphql) imports a feature.
 */
import type { Config } from './config';
import { createDataSource as createModelDataSource, openDatabase as openModelDatabase, type DataModel } from './db/database';
import { registerLoaders } from './kernel/loaders';
import type { Resolvers } from './graphql/schema';
import type { SchemaParts } from './graphql/server';
import { sessionGuard } from './auth/session-guard';
import { directReads } from './reads/direct';
import { Region } from './regions/region.entity';
import { Unit } from './units/unit.entity';
import { Account } from './accounts/account.entity';
import { AccountService } from './accounts/account-service.entity';
import { Post } from './accounts/post.entity';
import { Message } from './accounts/message.entity';
import { AccountStatusChange } from './accounts/status-change.entity';
import { AccountGraph1732300000000 } from '../migrations/1732300000000-AccountGraph';
import { Policy } from './policy/policy.entity';
import { DetectionRun } from './detection/detection-run.entity';
import { Finding, FindingAccount } from './detection/finding.entity';
import { Detection1732400000000 } from '../migrations/1732400000000-Detection';
import { User } from './auth/user.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { AuthAudit1732500000000 } from '../migrations/1732500000000-AuthAudit';
import { Plan } from './plans/plan.entity';
import { PlanRevision } from './plans/plan-revision.entity';
import { PlanAction } from './plans/plan-action.entity';
import { PlanActionFinding } from './plans/plan-action-finding.entity';
import { Approval, ApprovalRequest } from './plans/approval.entity';
import { ExecutionStep } from './plans/execution-step.entity';
import { Plans1732600000000 } from '../migrations/1732600000000-Plans';
import { ReadPathIndexes1732690000000 } from '../migrations/1732690000000-ReadPathIndexes';
import { DetectionSpeed1732695000000 } from '../migrations/1732695000000-DetectionSpeed';
import { PinyinCollation1732700000000 } from '../migrations/1732700000000-PinyinCollation';
import { RequestKernel1732800000000 } from '../migrations/1732800000000-RequestKernel';
import { ApprovalsByUnit1732810000000 } from '../migrations/1732810000000-ApprovalsByUnit';
import { LeastPrivilege1732900000000 } from '../migrations/1732900000000-LeastPrivilege';
import { AuditChain1732900000001 } from '../migrations/1732900000001-AuditChain';
import { TrustworthyPlans1732910000000 } from '../migrations/1732910000000-TrustworthyPlans';
import { ContentChecks1732920000000 } from '../migrations/1732920000000-ContentChecks';
import { ContentPostsIndex1732920000001 } from '../migrations/1732920000001-ContentPostsIndex';
import { ApprovalDelegation } from './plans/delegation.entity';
import { Bulletin, Inspection } from './inspections/inspection.entity';
import { Inspections1732930000000 } from '../migrations/1732930000000-Inspections';
import { BulletinResolver, InspectionsResolver } from './inspections/inspections.resolver';
import { JobRun } from './jobs/job-run.entity';
import { JobRuns1732931000000 } from '../migrations/1732931000000-JobRuns';
import { JobsResolver } from './jobs/jobs.resolver';
import { ClosedLoop1732932000000 } from '../migrations/1732932000000-ClosedLoop';
import { Notification, WorkOrder } from './workorders/work-order.entity';
import { WorkOrders1732933000000 } from '../migrations/1732933000000-WorkOrders';
import { KeepWorkOrders1732941000000 } from '../migrations/1732941000000-KeepWorkOrders';
import { HistoryIndexes1732942000000 } from '../migrations/1732942000000-HistoryIndexes';
import { ContentCleanHashes1732943500000 } from '../migrations/1732943500000-ContentCleanHashes';
import { ImportDropForeignKeys1732944500000 } from '../migrations/1732944500000-ImportDropForeignKeys';
import { SessionNotify1732944000000 } from '../migrations/1732944000000-SessionNotify';
import { PostMonths1732946000000 } from '../migrations/1732946000000-PostMonths';
import { PostMonthsAnalyze1732946100000 } from '../migrations/1732946100000-PostMonthsAnalyze';
import { StaleNamesIndex1732946200000 } from '../migrations/1732946200000-StaleNamesIndex';
import { ImportKeepsOriginIndexes1732946300000 } from '../migrations/1732946300000-ImportKeepsOriginIndexes';
import { ContentScanState1732946400000 } from '../migrations/1732946400000-ContentScanState';
import { SeenRunChecked1732946500000 } from '../migrations/1732946500000-SeenRunChecked';
import { ImportTruncatesEmptyTargets1732946600000 } from '../migrations/1732946600000-ImportTruncatesEmptyTargets';
import { MatrixCounts1732946700000 } from '../migrations/1732946700000-MatrixCounts';
import { IncrementalDetection1732946800000 } from '../migrations/1732946800000-IncrementalDetection';
import { InsertedPostsMarkTheirUnits1732946900000 } from '../migrations/1732946900000-InsertedPostsMarkTheirUnits';
import { ImportDropsOwnForeignKeys1732947000000 } from '../migrations/1732947000000-ImportDropsOwnForeignKeys';
import { StatementReferences1732947100000 } from '../migrations/1732947100000-StatementReferences';
import { ReferenceChecksPlannedPerStatement1732947200000 } from '../migrations/1732947200000-ReferenceChecksPlannedPerStatement';
import { ImportFreezesPosts1732947300000 } from '../migrations/1732947300000-ImportFreezesPosts';
import { DetectionLoadsEmptyFindings1732947400000 } from '../migrations/1732947400000-DetectionLoadsEmptyFindings';
import { MatrixCountsPlannedPerStatement1732947500000 } from '../migrations/1732947500000-MatrixCountsPlannedPerStatement';
import { PostsByMonth1732940000000 } from '../migrations/1732940000000-PostsByMonth';
import { WorkOrdersResolver } from './workorders/workorders.resolver';
import { AccountCountAsOfResolver, HistoryResolver } from './history/history.resolver';

import { RegionsResolver } from './regions/regions.resolver';
import { UnitsResolver } from './units/units.resolver';
import { AccountServiceResolver, AccountsResolver, PostResolver } from './accounts/accounts.resolver';
import { MatrixResolver } from './matrix/matrix.resolver';
import { AccountActivityResolver, createActivityLoaders } from './accounts/account-activity';
import { AccountDetectionResolver, DetectionResolver } from './detection/detection.resolver';
import { PolicyResolver } from './policy/policy.resolver';
import { LexiconResolver } from './policy/lexicon.resolver';
import { ImportResolver } from './import/import.resolver';
import { AuthResolver } from './auth/auth.resolver';
import { AuditResolver } from './audit/audit.resolver';
import { PlansResolver } from './plans/plans.resolver';
import { DelegationsResolver } from './plans/delegation.resolver';
import { AccountPlansResolver, ApprovalRequestResolver, ApprovalResolver, ExecutionStepResolver, FindingPlansResolver, PlanActionResolver } from './plans/plan-parts.resolver';
import { createRegionLoaders } from './regions/regions.loaders';
import { createUnitLoaders } from './units/units.loaders';
import { createAccountLoaders } from './accounts/accounts.loaders';
import { createDetectionLoaders } from './detection/detection.loaders';
import { createPlanLoaders } from './plans/plans.loaders';
export const ENTITIES = [Region, Unit, Account, AccountService, Post, Message, AccountStatusChange, User, AuditEvent, Policy, DetectionRun, Finding, FindingAccount,
  Plan, PlanRevision, PlanAction, PlanActionFinding, ApprovalRequest, Approval, ExecutionStep, ApprovalDelegation,
  Inspection, Bulletin, JobRun, WorkOrder, Notification];

export const MIGRATIONS = [AccountGraph1732300000000, Detection1732400000000, AuthAudit1732500000000, Plans1732600000000, ReadPathIndexes1732690000000, DetectionSpeed1732695000000, PinyinCollation1732700000000,
  RequestKernel1732800000000, ApprovalsByUnit1732810000000, LeastPrivilege1732900000000, AuditChain1732900000001, TrustworthyPlans1732910000000,
  ContentChecks1732920000000, ContentPostsIndex1732920000001, Inspections1732930000000, JobRuns1732931000000, ClosedLoop1732932000000, WorkOrders1732933000000, PostsByMonth1732940000000,
  KeepWorkOrders1732941000000, HistoryIndexes1732942000000, ContentCleanHashes1732943500000,
  SessionNotify1732944000000, ImportDropForeignKeys1732944500000, PostMonths1732946000000,
  PostMonthsAnalyze1732946100000, StaleNamesIndex1732946200000,
  ImportKeepsOriginIndexes1732946300000, ContentScanState1732946400000,
  SeenRunChecked1732946500000, ImportTruncatesEmptyTargets1732946600000,
  MatrixCounts1732946700000, IncrementalDetection1732946800000,
  InsertedPostsMarkTheirUnits1732946900000, ImportDropsOwnForeignKeys1732947000000,
  StatementReferences1732947100000, ReferenceChecksPlannedPerStatement1732947200000,
  ImportFreezesPosts1732947300000, DetectionLoadsEmptyFindings1732947400000,
  MatrixCountsPlannedPerStatement1732947500000];

export const MODEL: DataModel = { entities: ENTITIES, migrations: MIGRATIONS };

/** A data source for the application's model (not yet initialised). */
export function createDataSource(url: string, poolSize = 10) {
  return createModelDataSource(MODEL, url, poolSize);
}

/** Opens the configured database (embedded by default) and runs pending migrations: see db/database.ts. */
export function openDatabase(config: Config, opts: Parameters<typeof openModelDatabase>[2] = {}) {
  return openModelDatabase(MODEL, config, opts);
}

// ---- GraphQL resolvers and per-request loaders of every feature ----
export const RESOLVERS: Resolvers = [RegionsResolver, UnitsResolver, AccountsResolver, AccountServiceResolver, PostResolver, MatrixResolver,
  ImportResolver, AuthResolver, AuditResolver, DetectionResolver, AccountDetectionResolver, PolicyResolver, LexiconResolver,
  PlansResolver, PlanActionResolver, ApprovalRequestResolver, ApprovalResolver, ExecutionStepResolver, AccountPlansResolver, FindingPlansResolver, DelegationsResolver,
  AccountActivityResolver,
  InspectionsResolver, BulletinResolver, JobsResolver, WorkOrdersResolver,
  HistoryResolver, AccountCountAsOfResolver];

for (const factory of [createRegionLoaders, createUnitLoaders, createAccountLoaders, createActivityLoaders, createDetectionLoaders, createPlanLoaders]) {
  registerLoaders(factory);
}

/** What the GraphQL layer builds the API from: every resolver and the session guard of auth. */
export function schemaParts(): SchemaParts {
  return { resolvers: RESOLVERS, guards: [sessionGuard(), directReads()] };
}
