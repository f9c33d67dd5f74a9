import type { Scope } from '../kernel/scope';
import type { FileName } from './csv-schema';
import { checkQuery, type Sql, type SqlProblem, type Staged } from './bulk-load';

/**
 * The scope of an import run for a user (the `importCsv` mutation, `npm run import -- --as <user>`): every staged
 * row must lie inside `scope` BEFORE (the stored row, if any) and AFTER (where the row puts it: a unit's parent, an
 * account's unit), and every reference (parent, supervisor, unit of an account, account of a post/message/service)
 * must name something inside it — set-based over the staging tables. An unrestricted scope (the national
 * administrator, the operator's CLI) skips every check.
 *
 * Each row is checked on its own; together they hold because any problem means nothing is written: a unit is inside
 * the scope after the import when its new parent is a unit of the scope (itself checked, when it is in units.csv),
 * and the user's own unit (the scope's root) keeps its parent. A missing reference is left to crossCheck.
 */

const OUT = '（outside your scope）';

export async function scopeCheck(sql: Sql, staged: Map<FileName, Staged>, scope: Scope, limit: number): Promise<{ file: FileName; problems: SqlProblem[] }[]> {
  if (scope.unrestricted) return [];
  const probe = scope.raw('x', 1);
  const params = probe.value === null ? [] : [probe.value];
  /** "the units row `alias` lies in the scope" — every use binds the same `$1`. */
  const inside = (alias: string) => `(${scope.raw(alias, 1).sql})`;
  const has = (f: FileName) => staged.get(f)?.headerOk === true;
  const out: { file: FileName; problems: SqlProblem[] }[] = [];
  const run = async (file: FileName, select: string) => {
    const problems = await checkQuery(sql, select, limit, params);
    if (problems.length) out.push({ file, problems });
  };
  const stagedUnit = (codeExpr: string) => (has('units.csv') ? `EXISTS (SELECT 1 FROM _imp_units x WHERE x.code = ${codeExpr})` : 'FALSE');

  const units = staged.get('units.csv');
  if (units?.headerOk) {
    // Before: a stored unit outside the scope cannot be changed.
    await run('units.csv', `
      SELECT s.line, 'code' AS col, format('超出管辖范围：单位 %s 不在您的管辖范围内${OUT}', s.code) AS msg
        FROM _imp_units s JOIN units u ON u.code = s.code
       WHERE NOT ${inside('u')}`);
    // After: the new parent must be a unit of the scope; the scope's own root keeps its parent.
    const withParent = units.present.has('parent_code');
    await run('units.csv', `
      WITH root AS (SELECT r.code FROM units r WHERE ${inside('r')} ORDER BY length(r.path) LIMIT 1),
      rows AS (
        SELECT s.line, s.code, ${withParent ? 's.parent_code' : 'cp.code'} AS parent, cp.code AS cur_parent,
               s.code = (SELECT code FROM root) AS is_root
          FROM _imp_units s LEFT JOIN units u ON u.code = s.code LEFT JOIN units cp ON cp.id = u.parent_id
         WHERE u.id IS NULL OR ${inside('u')})
      SELECT line, '${withParent ? 'parent_code' : 'code'}' AS col,
             CASE WHEN is_root THEN format('超出管辖范围：不能更改您所在单位 %s 的上级单位${OUT}', code)
                  WHEN parent IS NULL THEN format('超出管辖范围：单位 %s 没有上级单位，将不在您的管辖范围内${OUT}', code)
                  ELSE format('超出管辖范围：上级单位 %s 不在您的管辖范围内${OUT}', parent) END AS msg
        FROM rows s
       WHERE CASE WHEN is_root THEN parent IS DISTINCT FROM cur_parent
                  ELSE parent IS NULL
                    OR (NOT ${stagedUnit('s.parent')}
                        AND EXISTS (SELECT 1 FROM units p WHERE p.code = s.parent AND NOT ${inside('p')})) END`);
    if (units.present.has('supervisor_code')) {
      // A supervisor outside the scope may stay as it is stored, not be set.
      await run('units.csv', `
        SELECT s.line, 'supervisor_code' AS col, format('超出管辖范围：主管单位 %s 不在您的管辖范围内${OUT}', s.supervisor_code) AS msg
          FROM _imp_units s JOIN units sv ON sv.code = s.supervisor_code LEFT JOIN units u ON u.code = s.code
         WHERE NOT ${inside('sv')} AND NOT ${stagedUnit('s.supervisor_code')}
           AND (u.id IS NULL OR (${inside('u')} AND u.supervisor_id IS DISTINCT FROM sv.id))`);
    }
  }

  const accountOutside = (stage: string) => `
    SELECT s.line, 'handle' AS col, format('超出管辖范围：账号 %s:%s 不在您的管辖范围内${OUT}', s.platform, s.handle) AS msg
      FROM ${stage} s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle JOIN units u ON u.id = a.unit_id
     WHERE NOT ${inside('u')}`;
  if (has('accounts.csv')) {
    await run('accounts.csv', accountOutside('_imp_accounts'));
    await run('accounts.csv', `
      SELECT s.line, 'unit_code' AS col, format('超出管辖范围：主办单位 %s 不在您的管辖范围内${OUT}', s.unit_code) AS msg
        FROM _imp_accounts s JOIN units nu ON nu.code = s.unit_code
       WHERE NOT ${inside('nu')} AND NOT ${stagedUnit('s.unit_code')}
         AND NOT EXISTS (SELECT 1 FROM accounts a JOIN units u ON u.id = a.unit_id
                          WHERE a.platform = s.platform AND a.handle = s.handle AND NOT ${inside('u')})`);
  }
  if (has('services.csv')) await run('services.csv', accountOutside('_imp_services'));
  if (has('posts.csv')) await run('posts.csv', accountOutside('_imp_posts'));
  if (has('messages.csv')) await run('messages.csv', accountOutside('_imp_messages'));
  return out;
}
