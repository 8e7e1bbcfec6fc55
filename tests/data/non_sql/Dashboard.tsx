import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery, useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/router';
import { t } from './i18n';

type Asset = { id: string; name: string; kind: 'image' | 'video'; updatedAt: string };

const SORTS = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  name: 'Name (A–Z)',
} as const;

const EMPTY_STATE = `Select an image to upload, or drag files from your desktop.
Files from the last upload will appear here.`;

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

async function fetchAssets(page: number, sort: keyof typeof SORTS): Promise<Asset[]> {
  const params = new URLSearchParams({ page: String(page), sort });
  const res = await fetch(`/api/assets?${params.toString()}`);
  if (!res.ok) throw new Error(`Select failed with ${res.status}: could not load assets from server`);
  return res.json();
}

export function Dashboard() {
  const router = useRouter();
  const page = Number(router.query.page ?? 0);
  const [sort, setSort] = useState<keyof typeof SORTS>('newest');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState('');
  const { data, isLoading, error } = useQuery({ queryKey: ['assets', page, sort], queryFn: () => fetchAssets(page, sort) });
  const remove = useMutation({
    mutationFn: async (ids: string[]) => {
      await fetch('/api/assets', { method: 'DELETE', body: JSON.stringify({ ids }) });
    },
    onSuccess: () => setSelected(new Set()),
  });

  useEffect(() => {
    document.title = selected.size ? `${selected.size} selected – Media` : 'Media';
  }, [selected]);

  const visible = useMemo(
    () => (data ?? []).filter((a) => a.name.toLowerCase().includes(filter.toLowerCase())),
    [data, filter],
  );

  const toggle = useCallback((id: string) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const confirmDelete = () => {
    const question = selected.size === 1
      ? 'Delete from library? This cannot be undone.'
      : `Delete ${selected.size} items from library? This cannot be undone.`;
    if (window.confirm(question)) remove.mutate([...selected]);
  };

  if (isLoading) return <p className="muted">Loading your media…</p>;
  if (error) return <p role="alert">{t('errors.load')}: {String(error)}</p>;

  return (
    <section className="dashboard">
      <header>
        <h1>Your media</h1>
        <input
          type="search"
          placeholder="Select from your uploads by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <select value={sort} onChange={(e) => setSort(e.target.value as keyof typeof SORTS)} aria-label="Select sort order">
          {Object.entries(SORTS).map(([key, label]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </select>
        <button disabled={!selected.size} onClick={confirmDelete} title="Delete from library">
          Delete selected
        </button>
      </header>
      {visible.length === 0 ? (
        <p className="empty">{EMPTY_STATE}</p>
      ) : (
        <ul className="grid">
          {visible.map((asset) => (
            <li key={asset.id} className={selected.has(asset.id) ? 'selected' : undefined}>
              <label>
                <input type="checkbox" checked={selected.has(asset.id)} onChange={() => toggle(asset.id)} />
                {asset.name}
              </label>
              <span className="muted">Updated {formatDate(asset.updatedAt)}</span>
              {/* select from assets where kind = video: handled server side */}
            </li>
          ))}
        </ul>
      )}
      <footer>
        Update available? <a href="/changelog">See what's new</a>. Insert into your page with the embed code.
        <p>{'Create table of contents from headings'}</p>
        <p>{"Drop table rows here to reorder them"}</p>
        <p>{`With love, as (always) the media team`}</p>
      </footer>
    </section>
  );
}

export default Dashboard;
