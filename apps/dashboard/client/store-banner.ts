// The banner every page shows when the store file behind it changed (docs/dashboard.md): deleted or
// unreadable (the data routes answer 503 until a store is back), or replaced by another store that the
// server now serves (this page still shows the old one until it is reloaded). /api/health says which.
import type { Health } from '../src/api-types';
import { h } from './dom';

export const STORE_CHECK_MS = 3000;

/** /api/health, whose body is JSON also when it answers 503 (store missing); null if unreachable. */
async function fetchHealth(): Promise<Health | null> {
  try {
    const res = await fetch('/api/health', { headers: { Accept: 'application/json' } });
    return (await res.json()) as Health;
  } catch {
    return null;
  }
}

const TITLES = { gone: 'Store not available: ', replaced: 'Store replaced: ', unreachable: 'Server not reachable: ' } as const;

function showBanner(kind: 'gone' | 'replaced' | 'unreachable', text: string): void {
  let banner = document.getElementById('store-banner');
  if (!banner) {
    banner = h('div', { id: 'store-banner' });
    banner.setAttribute('role', 'alert');
    document.querySelector('header.topbar')?.after(banner);
  }
  banner.className = `store-banner ${kind}`;
  banner.dataset.kind = kind;
  banner.replaceChildren(
    h('b', {}, TITLES[kind]),
    text,
    kind === 'gone' ? '' : ' ',
    kind === 'gone' ? '' : h('a', { href: location.href }, 'Reload'),
  );
}

function hideBanner(): void {
  document.getElementById('store-banner')?.remove();
}

/** Checks /api/health now and every STORE_CHECK_MS while the page is open. */
export function watchStore(intervalMs = STORE_CHECK_MS): void {
  // The store this page was loaded from: a later openedAt means the file was replaced since.
  let loadedFrom: number | null = null;
  const tick = async () => {
    const health = await fetchHealth();
    if (health === null) showBanner('unreachable', 'the dashboard server does not answer (was it stopped?).');
    else if (!health.ok) showBanner('gone', `${health.reason ?? 'the store cannot be read'}. The page shows what it last loaded.`);
    else {
      loadedFrom ??= health.store.openedAt;
      if (health.store.openedAt !== loadedFrom) showBanner('replaced', `the server now serves the file at ${health.store.path ?? 'the same path'}, opened ${new Date(health.store.openedAt).toLocaleTimeString()}; this page shows the one before.`);
      else hideBanner();
    }
    setTimeout(() => void tick(), intervalMs);
  };
  void tick();
}
