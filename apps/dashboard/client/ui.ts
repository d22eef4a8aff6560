// Small widgets shared by the pages: breadcrumbs, status badges, parameter chips, error cards.
import { parameterValueLabel } from '@scorelab/config';
import type { RunStatus } from '../src/api-types';
import { byId, h } from './dom';

export function paramChips(params: Record<string, unknown>): HTMLElement {
  return h('span', { class: 'chips' }, Object.entries(params).map(([k, v]) => h('span', { class: 'chip' }, `${k} = `, h('b', {}, parameterValueLabel(v)))));
}

export function statusBadge(status: RunStatus): HTMLElement {
  return h('span', { class: `badge ${status}` }, status);
}

export function errorCard(message: string): HTMLElement {
  return h('div', { class: 'card errorbox' }, h('b', {}, 'Could not load this page'), h('pre', {}, message));
}

/** The top bar's trail: Sweeps › items. */
export function setCrumbs(...items: Node[]): void {
  byId('crumbs').replaceChildren(h('a', { href: '/' }, 'Sweeps'), ...items);
}
