// Small helpers shared by the pages: DOM building (text is always set as text, never parsed as
// HTML), the JSON API client, number formatting and the live poller.

/** h('div', { class: 'x', onclick: f }, child, 'text', [more]) -> HTMLElement */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status, `${path}: the server answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new ApiError(res.status, body?.error ?? `${path}: HTTP ${res.status}`);
  return body;
}

/** The API sends NaN and +-Infinity as strings (JSON has no such numbers). */
export function num(v) {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v === null || v === undefined ? undefined : Number(v);
}

/** 3 significant digits; exponent form for very small or large magnitudes. */
export function fmt(v, digits = 3) {
  v = num(v);
  if (v === undefined || v === null) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1).replace('e+', 'e');
  if (Number.isInteger(v) && a < 1e5) return String(v);
  return String(Number(v.toPrecision(digits)));
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtTime(epochMs) {
  if (!epochMs) return '—';
  const d = new Date(epochMs);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Mirrors parameterValueLabel of @scorelab/config: sections read as `kind (field=value, ...)`. */
export function valueLabel(v) {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const fields = Object.entries(v)
      .filter(([k, x]) => k !== 'kind' && k !== 'samples' && ['number', 'string', 'boolean'].includes(typeof x))
      .map(([k, x]) => `${k}=${String(x)}`);
    const head = typeof v.kind === 'string' ? v.kind : '';
    if (head) return fields.length ? `${head} (${fields.join(', ')})` : head;
    return fields.join(', ') || JSON.stringify(v);
  }
  return JSON.stringify(v) ?? String(v);
}

/** "dsm, 0.1" — the swept values in parameter order. */
export function paramsShort(params, paths) {
  return (paths ?? Object.keys(params)).map((p) => valueLabel(params[p])).join(', ');
}

export function paramChips(params) {
  return h('span', { class: 'chips' }, Object.entries(params).map(([k, v]) => h('span', { class: 'chip' }, `${k} = `, h('b', {}, valueLabel(v)))));
}

export function statusBadge(status) {
  return h('span', { class: `badge ${status}` }, status);
}

export function directionWord(direction) {
  return direction === 'lower' ? 'lower is better' : direction === 'higher' ? 'higher is better' : 'no better direction';
}

/** Tableau 10: distinguishable, colour-blind friendlier than the defaults. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const color = (i) => PALETTE[i % PALETTE.length];

export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function errorCard(message) {
  return h('div', { class: 'card errorbox' }, h('b', {}, 'Could not load this page'), h('pre', {}, message));
}

export function setCrumbs(...items) {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren(h('a', { href: '/' }, 'Sweeps'), ...items);
}

/**
 * Calls refresh() every intervalMs while isLive() says something is running; shows the live badge.
 * Stops by itself (after one last refresh) when the sweep is done.
 */
export function livePoller(refresh, isLive, intervalMs = 2500) {
  const badge = document.getElementById('live');
  let timer = null;
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
