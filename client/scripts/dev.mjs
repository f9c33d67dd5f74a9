#!/usr/bin/env node
// `npm run dev`: the API server (rebuilt by `tsc -w`, restarted by `node --watch`) on PORT (default 4000) and the
// Vite dev server with hot reload on CLIENT_PORT (default 5173), which proxies /graphql to the API server.
// Open http://localhost:5173/. Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const COLORS = { tsc: 33, server: 36, client: 35 };

console.log('[dev] 正在编译服务端… (building the server)');
const first = spawnSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (first.status !== 0) {
  console.error('[dev] 服务端编译失败，请先修正上面的错误 (server build failed)');
  process.exit(first.status ?? 1);
}

const children = [];
let stopping = false;

function run(name, cmd, args) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, FORCE_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `\x1b[${COLORS[name]}m[${name}]\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (chunk) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const line of lines) (stream === child.stderr ? process.stderr : process.stdout).write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[dev] ${name} 已退出 (exited: ${signal ?? code})；正在停止其余进程`);
    stop(code ?? 1);
  });
  children.push(child);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() => process.exit(code));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('tsc', bin('tsc'), ['-p', 'tsconfig.json', '-w', '--preserveWatchOutput']);
run('server', process.execPath, ['--enable-source-maps', '--watch-path=dist/server', 'dist/server/main.js']);
run('client', bin('vite'), ['--config', 'client/vite.config.ts', '--strictPort']);
