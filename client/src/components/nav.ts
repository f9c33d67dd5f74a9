import type { MessageKey } from '../i18n';

type Role = 'PLANNER' | 'APPROVER' | 'AUDITOR' | 'ADMIN';

/**
 * Navigation by role: planners plan, approvers decide and confirm, auditors read; admins see everything. The same
 * table guards the routes (RequireRoute): a screen missing from a role's menu answers 无权访问, not a server error.
 * (The server exposes no permission list on `me`, so the roles are the source.)
 */
export const NAV: readonly { key: string; label: MessageKey; roles: readonly Role[] }[] = [
  { key: '/', label: 'nav.overview', roles: ['PLANNER', 'AUDITOR', 'ADMIN'] },
  { key: '/explorer', label: 'nav.explorer', roles: ['PLANNER', 'AUDITOR', 'ADMIN'] },
  { key: '/findings', label: 'nav.findings', roles: ['PLANNER', 'ADMIN'] },
  { key: '/plans', label: 'nav.plans', roles: ['PLANNER', 'APPROVER', 'AUDITOR', 'ADMIN'] },
  { key: '/approvals', label: 'nav.approvals', roles: ['APPROVER', 'ADMIN'] },
  { key: '/execution', label: 'nav.execution', roles: ['APPROVER', 'ADMIN'] },
  { key: '/inspections', label: 'nav.inspections', roles: ['PLANNER', 'APPROVER', 'AUDITOR', 'ADMIN'] },
  { key: '/workorders', label: 'nav.workOrders', roles: ['PLANNER', 'APPROVER', 'AUDITOR', 'ADMIN'] },
  { key: '/audit', label: 'nav.audit', roles: ['AUDITOR', 'ADMIN'] },
  { key: '/import', label: 'nav.import', roles: ['PLANNER', 'ADMIN'] },
  { key: '/jobs', label: 'nav.jobs', roles: ['PLANNER', 'ADMIN'] },
  { key: '/lexicon', label: 'nav.lexicon', roles: ['ADMIN'] },
];

/** The entries a role sees; without a session (server without login) the read-only screens. */
export function navFor(role: string | null | undefined): typeof NAV {
  if (!role) return NAV.filter((n) => ['/', '/explorer', '/findings', '/import'].includes(n.key));
  return NAV.filter((n) => (n.roles as readonly string[]).includes(role));
}

/** Whether a role may open the screen whose menu entry is `key`. */
export function mayOpen(role: string | null | undefined, key: string): boolean {
  return navFor(role).some((n) => n.key === key);
}
