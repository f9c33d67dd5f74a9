import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

/**
 * Rewrites `import { Button, Table } from 'antd'` into `import Button from 'antd/es/button'` … (what
 * babel-plugin-import did for webpack). Without it the bundler assigns the whole antd barrel, and with it every
 * component any route uses, to the entry chunk; with it each route chunk carries only its own components.
 * Type-only specifiers stay on 'antd' as `import type`.
 */
export function antdDirectImports(): Plugin {
  const require = createRequire(import.meta.url);
  const esIndex = path.join(path.dirname(require.resolve('antd/package.json')), 'es', 'index.js');
  const map = new Map<string, string>();
  for (const m of fs.readFileSync(esIndex, 'utf8').matchAll(/export\s*\{\s*default as (\w+)\s*\}\s*from\s*'\.\/([\w-]+)'/g)) map.set(m[1], `antd/es/${m[2]}`);
  const IMPORT = /import\s*\{([^}]*)\}\s*from\s*['"]antd['"];?/g;
  return {
    name: 'antd-direct-imports',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/client\/src\/.*\.tsx?$/.test(id) || !code.includes("'antd'")) return null;
      let changed = false;
      const out = code.replace(IMPORT, (_whole, list: string) => {
        const lines: string[] = [];
        const types: string[] = [];
        for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
          if (raw.startsWith('type ')) {
            types.push(raw.slice(5));
            continue;
          }
          const [name, alias] = raw.split(/\s+as\s+/);
          const target = map.get(name);
          if (!target) throw new Error(`antd-direct-imports: ${name} is not a default export of an antd component (${id}); import it with "import type" if it is a type`);
          lines.push(`import ${alias ?? name} from '${target}';`);
        }
        if (types.length) lines.push(`import type { ${types.join(', ')} } from 'antd';`);
        changed = true;
        return lines.join(' ');
      });
      return changed ? { code: out, map: null } : null;
    },
  };
}
