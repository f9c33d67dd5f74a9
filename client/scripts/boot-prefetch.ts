import fs from 'node:fs';
import path from 'node:path';
import { Kind, print, visit, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';
import type { Plugin, Rolldown } from 'vite';

type OutputBundle = Rolldown.OutputBundle;
type OutputChunk = Rolldown.OutputChunk;

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/** What Apollo's cache sends: every selection set below the operation root asks for __typename too. */
function withTypename(doc: DocumentNode): DocumentNode {
  return visit(doc, {
    SelectionSet: {
      leave(node: SelectionSetNode, _key, parent) {
        if (parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.OPERATION_DEFINITION) return undefined;
        if (node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename')) return undefined;
        return { ...node, selections: [...node.selections, TYPENAME] };
      },
    },
  });
}

/**
 * The overview screen's chunk and the chunks it imports statically, less those index.html already names: the boot
 * script preloads them on the overview's paths (otherwise they are requested only once the first chunks have run).
 */
function overviewChunks(bundle: OutputBundle | undefined, html: string): string[] {
  if (!bundle) return [];
  const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
  const page = chunks.find((c) => c.facadeModuleId?.replace(/\\/g, '/').endsWith('/pages/overview/OverviewPage.tsx'));
  if (!page) throw new Error('boot-prefetch: no chunk for pages/overview/OverviewPage.tsx');
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (c: OutputChunk) => {
    if (seen.has(c.fileName)) return;
    seen.add(c.fileName);
    if (!html.includes(`/${c.fileName}"`)) out.push(`/${c.fileName}`);
    for (const f of c.imports) {
      const next = byName.get(f);
      if (next) visit(next);
    }
  };
  visit(page);
  return out;
}

/**
 * Production builds: an inline script at the top of index.html asks the server for the session (`Me`) while the
 * JavaScript is still downloading, and — on the overview's paths — for the overview matrix as soon as the session
 * names the user's region (or at once on /overview/<code>). main.tsx puts the answers into Apollo's cache before the
 * first render (client/src/boot.ts), so a cold start no longer waits for the scripts, then Me, then a render, then
 * the matrix, one after the other; the overview screen's chunks are preloaded alongside. The query texts are codegen's documents (with __typename, as Apollo sends them).
 */
export function bootPrefetch(generatedDir: string): Plugin {
  const doc = (name: string): string => {
    const types = fs.readFileSync(path.join(generatedDir, 'graphql.ts'), 'utf8');
    const m = new RegExp(`^export const ${name} = (\\{"kind":"Document".*\\}) as unknown as DocumentNode<.*$`, 'm').exec(types);
    if (!m) throw new Error(`boot-prefetch: ${name} not in the generated documents (run npm run codegen)`);
    return print(withTypename(JSON.parse(m[1]) as DocumentNode)).replace(/\s+/g, ' ');
  };
  return {
    name: 'boot-prefetch',
    apply: 'build',
    // After Vite's own tags: the script goes right after <meta charset>, ahead of the stylesheet (an inline script
    // placed after a stylesheet waits for it).
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = overviewChunks(ctx.bundle, html);
        const me = JSON.stringify(doc('MeDocument'));
        const overview = JSON.stringify(doc('OverviewMatrixDocument'));
        const script = `(function(){
var post=function(n,q,v){return fetch('/graphql',{method:'POST',credentials:'include',headers:{'content-type':'application/json'},body:JSON.stringify({operationName:n,variables:v,query:q})}).then(function(r){return r.ok?r.json():null}).catch(function(){return null})};
var ok=function(r){return r&&r.data&&!(r.errors&&r.errors.length)?r.data:null};
var p=location.pathname,m=/^\\/overview\\/([^/]+)\\/?$/.exec(p),boot={};
var ov=function(code){return post('OverviewMatrix',${overview},{regionCode:code}).then(function(r){var d=ok(r);return d?{regionCode:code,data:d}:null})};
boot.me=post('Me',${me},{}).then(ok);
if(m)boot.overview=ov(decodeURIComponent(m[1]));
else if(p==='/'||p==='')boot.overview=boot.me.then(function(d){var u=d&&d.me;if(!u||u.role==='APPROVER')return null;return ov(u.unit&&u.unit.region?u.unit.region.code:'0')});
if(boot.overview){var c=${JSON.stringify(chunks)};for(var i=0;i<c.length;i++){var l=document.createElement('link');l.rel='modulepreload';l.crossOrigin='';l.href=c[i];document.head.appendChild(l)}}
window.__boot=boot;
})();`;
        const at = html.indexOf('<meta charset="UTF-8" />');
        if (at < 0) throw new Error('boot-prefetch: no <meta charset="UTF-8" /> in index.html');
        const end = at + '<meta charset="UTF-8" />'.length;
        return `${html.slice(0, end)}\n    <script>${script}</script>${html.slice(end)}`;
      },
    },
  };
}
