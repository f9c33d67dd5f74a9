import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/**
 * Production builds: replaces every `graphql(\`…\`)` call of client/src with the parsed document it stands for (the
 * JSON that codegen wrote into generated/graphql.ts, fragments included), as the client preset's babel/swc plugin
 * does. Without it, generated/gql.ts — a map of every document of the app, and with it every document's AST — is
 * imported by the first screen and lands in the initial chunk (≈ 250 KB raw); with it each route chunk carries only
 * its own documents. A call whose text codegen has not seen (stale generated files) is left alone and still works
 * through the runtime map.
 */
export function inlineGraphqlDocuments(generatedDir: string): Plugin {
  let byText: Map<string, string> | null = null;
  const load = () => {
    const gql = fs.readFileSync(path.join(generatedDir, 'gql.ts'), 'utf8');
    const types = fs.readFileSync(path.join(generatedDir, 'graphql.ts'), 'utf8');
    const json = new Map<string, string>();
    for (const m of types.matchAll(/^export const (\w+) = (\{"kind":"Document".*\}) as unknown as DocumentNode<.*$/gm)) json.set(m[1], m[2]);
    const block = gql.slice(gql.indexOf('const documents'));
    const map = new Map<string, string>();
    for (const m of block.matchAll(/^\s+("(?:[^"\\]|\\.)*"): types\.(\w+),$/gm)) {
      const doc = json.get(m[2]);
      if (doc) map.set(JSON.parse(m[1]) as string, doc);
    }
    return map;
  };
  const CALL = /\bgraphql\(\s*`((?:[^`\\$]|\$(?!\{))*)`\s*\)/g;
  return {
    name: 'inline-graphql-documents',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/client\/src\/.*\.tsx?$/.test(id) || id.includes('/graphql/generated/') || !code.includes('graphql(`')) return null;
      byText ??= load();
      const docs = byText;
      let missing = 0;
      const out = code.replace(CALL, (whole, text: string) => {
        const doc = docs.get(text);
        if (!doc) {
          missing++;
          return whole;
        }
        return `(${doc})`;
      });
      if (missing) this.warn(`${missing} graphql() document(s) in ${path.basename(id)} are not in the generated files (run npm run codegen); left to the runtime map`);
      return out === code ? null : { code: out, map: null };
    },
  };
}
