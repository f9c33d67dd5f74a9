import type { IssueFragment } from '../../graphql/generated/graphql';

export type Issue = IssueFragment;

export interface ActionIssues {
  errors: Issue[];
  warnings: Issue[];
}

export interface GroupedIssues {
  /** Issues of each action, by action id (actions without issues are absent). */
  byAction: Map<string, ActionIssues>;
  /** Issues about the whole plan (no action), or naming an action that is no longer in the list. */
  plan: ActionIssues;
  errorCount: number;
  warningCount: number;
}

/**
 * Puts each validation issue beside the action it concerns, errors before warnings, in the server's order.
 * An issue whose action is not among `actionIds` (removed meanwhile) is shown with the plan-level issues so
 * nothing the server said is lost.
 */
export function groupIssues(validation: { errors: readonly Issue[]; warnings: readonly Issue[] } | null | undefined,
  actionIds: readonly string[]): GroupedIssues {
  const known = new Set(actionIds);
  const byAction = new Map<string, ActionIssues>();
  const plan: ActionIssues = { errors: [], warnings: [] };
  const put = (i: Issue, kind: keyof ActionIssues) => {
    const id = i.actionId ?? null;
    if (id === null || !known.has(id)) {
      plan[kind].push(i);
      return;
    }
    const cur = byAction.get(id) ?? { errors: [], warnings: [] };
    cur[kind].push(i);
    byAction.set(id, cur);
  };
  for (const e of validation?.errors ?? []) put(e, 'errors');
  for (const w of validation?.warnings ?? []) put(w, 'warnings');
  return { byAction, plan, errorCount: validation?.errors.length ?? 0, warningCount: validation?.warnings.length ?? 0 };
}
