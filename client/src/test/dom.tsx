import type { ReactElement } from 'react';
import { cleanup, render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach } from 'vitest';
import { I18nProvider, type Locale } from '../i18n';

/** What antd needs from a browser that jsdom does not have. Import this first in client component tests. */
if (typeof window !== 'undefined') {
  window.matchMedia ??= ((query: string) => ({
    matches: false, media: query, onchange: null,
    addListener: () => undefined, removeListener: () => undefined,
    addEventListener: () => undefined, removeEventListener: () => undefined, dispatchEvent: () => false,
  })) as unknown as typeof window.matchMedia;
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  // rc-table measures scrollbars with getComputedStyle(el, '::-webkit-scrollbar'); jsdom warns on pseudo-elements.
  const gcs = window.getComputedStyle.bind(window);
  window.getComputedStyle = (el: Element) => gcs(el);
}

afterEach(() => cleanup());

/** Renders inside the providers every screen has: router (at `path`) and i18n (Chinese unless told). */
export function renderUi(ui: ReactElement, opts: { path?: string; locale?: Locale } = {}) {
  return render(
    <I18nProvider locale={opts.locale ?? 'zh-CN'}>
      <MemoryRouter initialEntries={[opts.path ?? '/']}>{ui}</MemoryRouter>
    </I18nProvider>,
  );
}
