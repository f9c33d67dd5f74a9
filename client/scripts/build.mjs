// Builds the client with Vite. Vite 8's native bundler (rolldown 1.2.x) occasionally crashes with SIGSEGV/SIGBUS
// while tearing down *after* the bundle is written (rolldown/rolldown#10860); such a crash is retried (fresh
// process) up to three times, any other failure is reported as is.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
const args = [vite, 'build', '--config', path.join(root, 'client/vite.config.ts'), ...process.argv.slice(2)];

for (let attempt = 1; ; attempt++) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', ...process.env } });
  const crashed = r.signal === 'SIGSEGV' || r.signal === 'SIGBUS' || r.status === 139 || r.status === 135;
  if (r.status === 0) process.exit(0);
  if (!crashed || attempt >= 3) process.exit(r.status ?? 1);
  console.warn(`[build:client] Vite 的原生打包器在退出时崩溃（${r.signal ?? r.status}），重试第 ${attempt + 1} 次 (native bundler crashed at teardown; retrying)`);
}
