// What the sweep page's views share: the page state, their sections, and the actions that cross
// views (a heatmap cell or the runs table selects runs, whose curves the curves view draws).
import type { RunRow, SweepSummary } from '../../src/api-types';
import { color } from '../colors';
import { h } from '../dom';

export type CurveMode = 'config' | 'param' | 'selected';

export interface SweepState {
  /** The metric judged by ('' until the server picked its default). */
  metric: string;
  selected: Set<number>;
  sort: { col: string; dir: 1 | -1 };
  filter: string;
  status: string;
  allColumns: boolean;
  heat: { x: string | null; y: string | null };
  ablationParam: string | null;
  curves: { key: string | null; mode: CurveMode | null; param: string | null; logY: boolean };
}

export interface Sections {
  header: HTMLElement;
  summary: HTMLElement;
  heatmap: HTMLElement;
  ablation: HTMLElement;
  curves: HTMLElement;
  runs: HTMLElement;
}

export interface SweepPage {
  readonly state: SweepState;
  readonly sections: Sections;
  /** The last loaded summary and runs (the views run after the first load). */
  readonly summary: SweepSummary;
  readonly runs: readonly RunRow[];
  /** Reloads everything (after the judged metric changed). */
  refresh(): Promise<void>;
  /** Compares these runs' curves and scrolls to them (heatmap cell, Compare button). */
  selectRuns(ids: readonly number[]): void;
  /** The table's selection changed. */
  selectionChanged(): void;
  /** A chart's canvas kept across renders (chart.js updates it in place), appended to container. */
  canvas(container: HTMLElement, id: string, cls?: string): HTMLCanvasElement;
}

export const paramPaths = (page: SweepPage): string[] => page.summary.parameters.map((p) => p.path);

/** A stable colour per value of a parameter (by its position in the sweep's value list). */
export function valueColor(page: SweepPage, path: string, key: string): string {
  const p = page.summary.parameters.find((q) => q.path === path);
  const i = p ? p.values.findIndex((v) => v.key === key) : 0;
  return color(Math.max(0, i));
}

export function metricSelect(id: string, value: string | null, keys: readonly string[], onchange: (key: string) => void): HTMLSelectElement {
  return h(
    'select',
    { id, onchange: (e) => onchange(e.currentTarget.value) },
    keys.map((k) => h('option', { value: k, selected: k === value }, k)),
  );
}
