import { graphql } from '../../graphql/generated';

/** @codegen A fragment other documents spread by name; this call registers it with the codegen. */
export const AuditEventFieldsFragment = graphql(`
  fragment AuditEventFields on AuditEvent {
    id
    at
    action
    actorId
    actorName
    actorRole
    entityType
    entityId
    accountId
    accountName
    unitId
    unitName
    planId
    planTitle
    comment
    ip
    userAgent
    before
    after
  }
`);

export const AuditEventsQuery = graphql(`
  query AuditEvents($filter: AuditFilter, $after: String) {
    auditEvents(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AuditEventFields
        }
      }
    }
  }
`);

export const AccountTimelineQuery = graphql(`
  query AccountTimeline($accountId: ID!) {
    account(id: $accountId) {
      id
      name
      platform
      status
      unit {
        id
        name
      }
      plans {
        id
        title
        status
      }
    }
    accountTimeline(accountId: $accountId) {
      at
      kind
      auditEvent {
        ...AuditEventFields
      }
      statusChange {
        id
        fromStatus
        toStatus
        reason
        source
      }
    }
  }
`);

export const UnitChoicesQuery = graphql(`
  query UnitChoices($search: String!) {
    units(filter: { search: $search }, first: 20) {
      edges {
        node {
          id
          name
          level
        }
      }
    }
  }
`);

export const PlanChoicesQuery = graphql(`
  query PlanChoices {
    plans(first: 100) {
      edges {
        node {
          id
          title
          status
        }
      }
    }
  }
`);

/** Audit action codes the server writes, for the type filter (others can be typed in). */
export const AUDIT_ACTIONS = [
  'PLAN_CREATED', 'PLAN_DRAFTED_FROM_FINDINGS', 'PLAN_UPDATED', 'PLAN_ACTION_ADDED', 'PLAN_ACTION_UPDATED', 'PLAN_ACTION_REMOVED',
  'PLAN_SUBMITTED', 'PLAN_RESUBMITTED', 'APPROVAL_REQUESTED', 'ACTION_APPROVED', 'ACTION_REJECTED', 'ACTION_CHANGES_REQUESTED',
  'PLAN_APPROVED', 'PLAN_REJECTED', 'PLAN_CHANGES_REQUESTED', 'PLAN_WITHDRAWN', 'PLAN_EXECUTION_STARTED', 'STEP_CONFIRMED',
  'POSTS_MIGRATED', 'SERVICES_MIGRATED', 'ACCOUNT_STATUS_CHANGED', 'ACCOUNT_RENAMED', 'PLAN_COMPLETED',
  'LOGIN', 'LOGIN_FAILED', 'LOGIN_THROTTLED', 'LOGOUT', 'USER_CREATED', 'USER_UPDATED',
  'APPROVAL_DELEGATED', 'APPROVAL_DELEGATION_REVOKED', 'DETECTION_RUN', 'FINDING_DISMISSED', 'FINDING_REOPENED',
  'POLICY_UPDATED', 'CSV_IMPORTED', 'UNIT_MOVED', 'UNIT_RENAMED',
] as const;

export interface AuditParams {
  actorId?: string | null;
  accountId?: string | null;
  unitId?: string | null;
  includeSubunits?: boolean;
  planId?: string | null;
  action?: string[];
  from?: string | null;
  to?: string | null;
}

/** The CSV export link for the filters on screen (same names as GET /api/audit.csv expects). */
export function auditCsvHref(p: AuditParams): string {
  const q = new URLSearchParams();
  const put = (k: string, v: string | null | undefined) => { if (v) q.set(k, v); };
  put('actorId', p.actorId);
  put('accountId', p.accountId);
  put('unitId', p.unitId);
  if (p.unitId && p.includeSubunits) q.set('includeSubunits', '1');
  put('planId', p.planId);
  if (p.action?.length) q.set('action', p.action.join(','));
  put('from', p.from);
  put('to', p.to);
  const s = q.toString();
  return `/api/audit.csv${s ? `?${s}` : ''}`;
}

/**
 * The Excel export (/api/export/audit.xlsx, server/export/xlsx-export.ts): the same filters where the export takes
 * them (action, from, to, planId, accountId, unitId), the text search `q` and the time order (`sort=at` oldest first).
 */
export function auditXlsxHref(p: AuditParams, q: string | null, sort: string | null): string {
  const s = new URLSearchParams();
  const put = (k: string, v: string | null | undefined) => { if (v) s.set(k, v); };
  put('accountId', p.accountId);
  put('unitId', p.unitId);
  put('planId', p.planId);
  if (p.action?.length) s.set('action', p.action.join(','));
  put('from', p.from);
  put('to', p.to);
  put('q', q?.trim());
  if (sort === 'at') s.set('sort', 'at');
  const str = s.toString();
  return `/api/export/audit.xlsx${str ? `?${str}` : ''}`;
}
