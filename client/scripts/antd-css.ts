import type { Plugin } from 'vite';

/**
 * antd's components this client never renders (none of the components it imports uses them either — checked by
 * walking antd/es's imports): their rules are left out of the prebuilt zero-runtime stylesheet (antd/dist/antd.css,
 * ≈ 1 MB for every component). Names are the class prefixes (`.ant-<name>` / `.ant-<name>-…`).
 */
export const UNUSED_ANTD_CLASSES = [
  'affix', 'anchor', 'avatar', 'back-top', 'carousel', 'cascader', 'divider', 'flex', 'float-btn', 'image', 'masonry',
  'mentions', 'otp', 'qrcode', 'rate', 'slider', 'splitter', 'switch', 'tour', 'transfer', 'tree-select', 'select-tree',
];

const CLASS = /\.ant-([a-z0-9-]+)/g;

function unused(selector: string, drop: readonly string[]): boolean {
  const classes = [...selector.matchAll(CLASS)].map((m) => m[1]);
  return classes.length > 0 && classes.every((c) => drop.some((d) => c === d || c.startsWith(`${d}-`)));
}

/** Keeps the rules of a stylesheet (or of an at-rule's block) whose selectors name a component in use. */
export function filterAntdCss(css: string, drop: readonly string[] = UNUSED_ANTD_CLASSES): string {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const open = css.indexOf('{', i);
    if (open < 0) {
      out += css.slice(i);
      break;
    }
    // The block's end: matching brace (quotes skipped).
    let depth = 0;
    let j = open;
    for (; j < css.length; j++) {
      const ch = css[j];
      if (ch === '"' || ch === "'") {
        const close = css.indexOf(ch, j + 1);
        j = close < 0 ? css.length : close;
      } else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) break;
    }
    const prelude = css.slice(i, open);
    const body = css.slice(open + 1, j);
    const head = prelude.trim();
    if (/^@(media|supports|layer|container)\b/.test(head)) {
      const inner = filterAntdCss(body, drop);
      if (inner.trim()) out += `${prelude}{${inner}}`;
    } else if (head.startsWith('@') || !unused(head, drop)) {
      out += `${prelude}{${body}}`;
    }
    i = j + 1;
  }
  return out;
}

/** Vite: filters antd/dist/antd.css when it is imported (client/src/App.tsx, with the theme's zeroRuntime). */
export function antdUsedCss(): Plugin {
  return {
    name: 'antd-used-css',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]antd[\\/]dist[\\/]antd\.css(\?|$)/.test(id)) return null;
      return { code: filterAntdCss(code), map: null };
    },
  };
}
