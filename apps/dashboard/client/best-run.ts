// The best single run in words, with its verdict (the sweep page's summary and the sweeps list):
// crowned (★) only when it is distinguishable from the other runs and from the floor; otherwise the
// lowest (or highest) run, "not distinguishable from ...", with the uncertainty shown.
import type { BestRun, Floor, RunVerdict } from '../src/api-types';
import { h, type Child } from './dom';
import { fmt } from './format';

/** A best run is crowned when it has no verdict (a metric without floor rules) or a distinguishable one. */
export function crowned(best: BestRun): boolean {
  return !best.verdict || best.verdict.distinguishable;
}

/** "lowest" / "highest": what the best of an uncrowned run is. */
export function extremeWord(best: BestRun): string {
  return best.direction === 'higher' ? 'highest' : 'lowest';
}

/** "not distinguishable from 7 other runs or data": whom an uncrowned best run is tied with. */
export function tiedText(v: RunVerdict): string {
  const others = v.tiedRunIds.length - 1;
  const parts = [others > 0 ? `${others} other run${others > 1 ? 's' : ''}` : '', v.fromData ? 'data' : ''].filter(Boolean);
  return parts.length ? `not distinguishable from ${parts.join(' or ')}` : 'not distinguishable';
}

/** The value with its uncertainty: "0.0785 ± 0.0039" (the floor's scatter: how far noise alone moves
 * one run's value), or the value and why its scatter is unknown. */
export function valueWithScatter(value: number, floor: Floor | null): Child[] {
  if (!floor) return [h('b', {}, fmt(value))];
  if (floor.scatter !== null) return [h('b', {}, fmt(value)), ` ± ${fmt(floor.scatter)}`];
  return [h('b', {}, fmt(value)), h('span', { class: 'muted' }, ` (scatter unknown: ${floor.key} rests on ${floor.draws} reference draw${floor.draws === 1 ? '' : 's'})`)];
}

/** "floor ref/mmd −4.3e-4 ± 0.0039": what true samples score, beside the value. */
export function floorShort(floor: Floor): string {
  return `floor ${floor.key} ${fmt(floor.mean)}${floor.scatter !== null ? ` ± ${fmt(floor.scatter)}` : ''}`;
}

/** The headline of a best run: "★ Best single run" or "Lowest single run, not distinguishable from ...". */
export function bestRunTitle(best: BestRun): string {
  if (crowned(best)) return '★ Best single run';
  const word = extremeWord(best);
  return `${word[0].toUpperCase()}${word.slice(1)} single run, ${best.verdict ? tiedText(best.verdict) : 'not distinguishable'}`;
}
