import type { EntityManager } from 'typeorm';

/**
 * Recomputes the materialised `path`, `depth` and `region_path` of every unit from `parent_id` and `region_code`,
 * in one set-based statement. Rows already correct are not touched. Call after inserting or moving units.
 * A parent cycle leaves the cycle's units out of the recursion (the import refuses cycles before it writes).
 */
export async function refreshUnitPaths(em: EntityManager): Promise<number> {
  const res = await em.query(`
    WITH RECURSIVE tree AS (
      SELECT id, region_code, '/' || id || '/' AS path, 0 AS depth FROM units WHERE parent_id IS NULL
      UNION ALL
      SELECT u.id, u.region_code, t.path || u.id || '/', t.depth + 1 FROM units u JOIN tree t ON u.parent_id = t.id
    )
    UPDATE units u SET path = t.path, depth = t.depth, region_path = r.path, updated_at = now()
      FROM tree t LEFT JOIN regions r ON r.code = t.region_code
     WHERE u.id = t.id AND (u.path IS DISTINCT FROM t.path OR u.depth IS DISTINCT FROM t.depth OR u.region_path IS DISTINCT FROM r.path)`);
  return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
}
