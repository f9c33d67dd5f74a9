import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { Select, Typography } from 'antd';
import { graphql } from '../graphql/generated';
import type { AccountStatus, Platform } from '../graphql/generated/graphql';
import { useI18n } from '../i18n';

export const AccountChoicesQuery = graphql(`
  query AccountChoices($filter: AccountFilter!) {
    accounts(filter: $filter, first: 20, sort: FOLLOWERS) {
      edges {
        node {
          id
          name
          platform
          status
          isMain
          followers
          unit {
            id
            name
          }
        }
      }
    }
  }
`);

export interface AccountChoice {
  id: string;
  name: string;
  platform: Platform;
  status?: AccountStatus;
  unit?: { id: string; name: string } | null;
}

/** Waits `ms` after the last change before passing a value on (search as you type without a request per key). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

/**
 * Picks an account by name (searched on the server as you type). `current` labels the chosen account before any
 * search; `extra` adds ready-made choices (e.g. the suggested main account). Labelled by `id` + a Form.Item label.
 */
export function AccountSelect({ id, value, onChange, current, extra = [], status, regionCode, placeholder, allowClear = true, ariaLabel }: {
  id?: string;
  value?: string | null;
  onChange?(value: string | null, choice: AccountChoice | null): void;
  current?: AccountChoice | null;
  extra?: AccountChoice[];
  status?: AccountStatus[];
  regionCode?: string;
  placeholder?: string;
  allowClear?: boolean;
  ariaLabel?: string;
}) {
  const { t, tx } = useI18n();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const res = useQuery(AccountChoicesQuery, {
    variables: { filter: { search: q, ...(status ? { status } : {}), ...(regionCode ? { regionCode } : {}) } },
    skip: q.length === 0,
    fetchPolicy: 'cache-first',
  });
  const found = useMemo(() => (q ? (res.data?.accounts.edges.map((e) => e.node) ?? []) : []), [q, res.data]);
  const choices = useMemo(() => {
    const all = new Map<string, AccountChoice>();
    for (const c of [...(current ? [current] : []), ...extra, ...found]) if (!all.has(c.id)) all.set(c.id, c);
    return [...all.values()];
  }, [current, extra, found]);
  const label = (c: AccountChoice) => `${c.name}（${tx('platform', c.platform)}${c.unit ? ` · ${c.unit.name}` : ''}${c.status && c.status !== 'ACTIVE' ? ` · ${tx('status', c.status)}` : ''}）`;
  return (
    <Select
      id={id}
      aria-label={ariaLabel}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear={allowClear}
      value={value ?? undefined}
      placeholder={placeholder ?? t('picker.accountPlaceholder')}
      loading={res.loading}
      notFoundContent={q ? (res.loading ? t('app.loading') : t('picker.noAccounts')) : <Typography.Text type="secondary">{t('picker.typeToSearch')}</Typography.Text>}
      options={choices.map((c) => ({ value: c.id, label: label(c) }))}
      onChange={(v?: string) => onChange?.(v ?? null, choices.find((c) => c.id === v) ?? null)}
      style={{ width: '100%' }}
    />
  );
}
