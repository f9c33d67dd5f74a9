#!/usr/bin/env node
// Reports the gzipped size of the JavaScript a first visit downloads (the entry script from client/dist/index.html
// plus every chunk it imports statically, transitively), and of every chunk. Route chunks loaded later with
// import() are not initial. Usage: node client/scripts/bundle-size.mjs [--json] [--budget-kb 400]
// Exit code 1 when the initial JavaScript exceeds the budget.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const args = process.argv.slice(2);
const json = args.includes('--json');
const budgetArg = args.indexOf('--budget-kb');
const budgetKb = budgetArg >= 0 ? Number(args[budgetArg + 1]) : 400;

const indexHtml = path.join(dist, 'index.html');
if (!fs.existsSync(indexHtml)) {
  console.error('client/dist/index.html 不存在：请先运行 npm run build:client (client not built)');
  process.exit(2);
}
const html = fs.readFileSync(indexHtml, 'utf8');

const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const rel = (p) => path.relative(dist, p).split(path.sep).join('/');

/** Entry scripts and modulepreloads named by index.html. */
const roots = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)]
  .map((m) => path.join(dist, m[1].replace(/^\//, '')));
const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => path.join(dist, m[1].replace(/^\//, '')));

// Static imports / re-exports in minified ESM: `import{a}from"./x.js"`, `import"./x.js"`, `export{a}from"./x.js"`.
// import("./x.js") (dynamic) is excluded by requiring no parenthesis right after `import`.
const STATIC = /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g;

const initial = new Set();
const queue = [...roots];
while (queue.length) {
  const file = queue.shift();
  if (initial.has(file) || !fs.existsSync(file)) continue;
  initial.add(file);
  const code = fs.readFileSync(file, 'utf8');
  for (const m of code.matchAll(STATIC)) queue.push(path.resolve(path.dirname(file), m[1]));
}

const assets = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => path.join(dist, 'assets', f));
const rows = assets.map((file) => {
  const buf = fs.readFileSync(file);
  return { file: rel(file), bytes: buf.length, gzip: gz(buf), initial: initial.has(file) };
}).sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);

const sum = (xs, k) => xs.reduce((n, x) => n + x[k], 0);
const init = rows.filter((r) => r.initial);
const cssGzip = css.filter((f) => fs.existsSync(f)).reduce((n, f) => n + gz(fs.readFileSync(f)), 0);
const result = {
  initialJsGzipBytes: sum(init, 'gzip'),
  initialJsBytes: sum(init, 'bytes'),
  initialCssGzipBytes: cssGzip,
  initialChunks: init.map((r) => r.file),
  totalJsGzipBytes: sum(rows, 'gzip'),
  budgetKb,
  withinBudget: sum(init, 'gzip') <= budgetKb * 1024,
  chunks: rows,
};

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  for (const r of rows) console.log(`${r.initial ? '*' : ' '} ${r.file.padEnd(48)} ${kb(r.bytes).padStart(10)}  gzip ${kb(r.gzip).padStart(9)}`);
  console.log(`\n* initial JavaScript: ${kb(result.initialJsGzipBytes)} gzip (${kb(result.initialJsBytes)} raw) in ${init.length} chunks; CSS ${kb(cssGzip)} gzip`);
  console.log(`  all JavaScript:     ${kb(result.totalJsGzipBytes)} gzip; budget ${budgetKb} KB → ${result.withinBudget ? 'OK' : 'OVER BUDGET'}`);
}
process.exit(result.withinBudget ? 0 : 1);
