// Loading a page and keeping it live: refresh every 2.5 s while something is running, with the
// "live" mark in the top bar; polling stops by itself (after one last refresh) when nothing is.
import { byId } from './dom';
import { watchStore } from './store-banner';
import { errorCard } from './ui';

export const POLL_INTERVAL_MS = 2500;

export interface LivePoller {
  /** Shows or hides the live mark and, while live, schedules the next refresh. */
  schedule(): void;
}

export function livePoller(refresh: () => Promise<void>, isLive: () => boolean, intervalMs = POLL_INTERVAL_MS): LivePoller {
  const badge = byId('live');
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = async () => {
    timer = null;
    try {
      await refresh();
    } catch (e) {
      console.warn('live refresh failed', e);
    }
    schedule();
  };
  const schedule = () => {
    const live = isLive();
    badge.hidden = !live;
    badge.textContent = live ? `live · updating every ${intervalMs / 1000} s` : '';
    if (live && timer === null) timer = setTimeout(tick, intervalMs);
  };
  return { schedule };
}

/**
 * Loads a page: the first refresh, then body[data-ready="1"] (the browser tests wait for it) and
 * live polling; if the first load fails, an error card replaces the page. The store banner
 * (store-banner.ts) watches the store file throughout.
 */
export function startPage(main: HTMLElement, refresh: () => Promise<void>, isLive: () => boolean): void {
  watchStore();
  const poller = livePoller(refresh, isLive);
  refresh().then(
    () => {
      document.body.dataset.ready = '1';
      poller.schedule();
    },
    (e: unknown) => main.replaceChildren(errorCard(e instanceof Error ? e.message : String(e))),
  );
}
