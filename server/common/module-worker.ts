import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread that runs the module `file` (pass the module's own `__filename`) with `workerData`.
 * Compiled (dist/…/*.js) the module is loaded directly. From the TypeScript sources (tests, tools run through SWC)
 * this thread compiles the module and the relative imports it reaches once with @swc/core and hands the code over;
 * the worker loads them from there (the native compiler is never loaded inside a worker thread).
 */
export function startModuleWorker(file: string, workerData: Record<string, unknown>): Worker {
  if (file.endsWith('.js')) return new Worker(file, { workerData });
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    require.extensions['.ts'] = (m, filename) => {
      const code = workerData.sources[filename];
      if (code === undefined) throw new Error('not compiled for the worker: ' + filename);
      m._compile(code, filename);
    };
    require(workerData.entry);`;
  return new Worker(bootstrap, { eval: true, workerData: { ...workerData, entry: file, sources: compiledSources(file) } });
}

const compiled = new Map<string, Record<string, string>>();

/** `entry` and the relative imports it reaches, compiled to CommonJS (TypeScript sources only). */
function compiledSources(entry: string): Record<string, string> {
  const cached = compiled.get(entry);
  if (cached) return cached;
  const swc = createRequire(entry)('@swc/core') as { transformSync(src: string, opts: object): { code: string } };
  const options = { jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022',
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false } }, module: { type: 'commonjs' } };
  const out: Record<string, string> = {};
  const visit = (file: string) => {
    if (out[file] !== undefined || !fs.existsSync(file)) return;
    const src = fs.readFileSync(file, 'utf8');
    out[file] = swc.transformSync(src, { ...options, filename: file }).code;
    for (const m of src.matchAll(/from '(\.{1,2}\/[^']+)'/g)) visit(`${path.resolve(path.dirname(file), m[1])}.ts`);
  };
  visit(entry);
  compiled.set(entry, out);
  return out;
}
