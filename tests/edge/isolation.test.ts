import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ForeignClusterError, startEmbedded } from '../../server/db/embedded';

/**
 * A second checkout (another data directory) must not join the cluster of the first one on the same port: the CLIs
 * and the server join a running embedded cluster only when it is their own (issue 10).
 */
const dataDir = inject('pgDataDir');
const port = Number(new URL(inject('pgAdminUrl')).port);

describe.skipIf(!dataDir)('joining an embedded cluster', () => {
  it('joins the cluster of its own data directory', async () => {
    const h = await startEmbedded({ dir: dataDir, port, database: 'postgres' });
    expect(h.owned).toBe(false);
  });

  it("refuses another checkout's cluster on the port, with a clear error", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-other-checkout-'));
    try {
      await expect(startEmbedded({ dir: path.join(other, 'pg'), port })).rejects.toThrow(ForeignClusterError);
      await expect(startEmbedded({ dir: path.join(other, 'pg'), port })).rejects.toThrow(/EMBEDDED_PG_PORT/);
      // Even with a copied postmaster.pid naming the port, the server's own data directory gives it away.
      fs.mkdirSync(path.join(other, 'pg'));
      fs.copyFileSync(path.join(dataDir, 'postmaster.pid'), path.join(other, 'pg', 'postmaster.pid'));
      await expect(startEmbedded({ dir: path.join(other, 'pg'), port })).rejects.toThrow(/另一个数据目录/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
