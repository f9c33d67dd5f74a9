/**
 * Every entity and migration, listed explicitly (no globs: globbed .ts files bypass the SWC/tsc transform and lose
 * their decorator metadata). Features add their own lines here.
 */
import { Region } from '../regions/region.entity';
import { Unit } from '../units/unit.entity';
import { Account } from '../accounts/account.entity';
import { AccountService } from '../accounts/account-service.entity';
import { Post } from '../accounts/post.entity';
import { Message } from '../accounts/message.entity';
import { AccountStatusChange } from '../accounts/status-change.entity';
import { AccountGraph1732300000000 } from '../../migrations/1732300000000-AccountGraph';
import { Policy } from '../policy/policy.entity';
import { DetectionRun } from '../detection/detection-run.entity';
import { Finding, FindingAccount } from '../detection/finding.entity';
import { Detection1732400000000 } from '../../migrations/1732400000000-Detection';
import { User } from '../auth/user.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { AuthAudit1732500000000 } from '../../migrations/1732500000000-AuthAudit';
import { Plan } from '../plans/plan.entity';
import { PlanRevision } from '../plans/plan-revision.entity';
import { PlanAction } from '../plans/plan-action.entity';
import { PlanActionFinding } from '../plans/plan-action-finding.entity';
import { Approval, ApprovalRequest } from '../plans/approval.entity';
import { ExecutionStep } from '../plans/execution-step.entity';
import { Plans1732600000000 } from '../../migrations/1732600000000-Plans';
import { ReadPathIndexes1732690000000 } from '../../migrations/1732690000000-ReadPathIndexes';
import { DetectionSpeed1732695000000 } from '../../migrations/1732695000000-DetectionSpeed';
import { PinyinCollation1732700000000 } from '../../migrations/1732700000000-PinyinCollation';

export const ENTITIES = [Region, Unit, Account, AccountService, Post, Message, AccountStatusChange, User, AuditEvent, Policy, DetectionRun, Finding, FindingAccount,
  Plan, PlanRevision, PlanAction, PlanActionFinding, ApprovalRequest, Approval, ExecutionStep];

export const MIGRATIONS = [AccountGraph1732300000000, Detection1732400000000, AuthAudit1732500000000, Plans1732600000000, ReadPathIndexes1732690000000, DetectionSpeed1732695000000, PinyinCollation1732700000000];
