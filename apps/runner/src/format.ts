/** Text formatting shared by the progress display, the summary and ls/show. */
import { METRIC, parameterValueLabel, referenceKey } from '@scorelab/config';

/** Metrics shown in run tables (when present), in this order, a sample metric with its ref/ floor; the rest are in `show` and `export`. */
export const KEY_METRICS: readonly string[] = [METRIC.fisher, METRIC.nll, METRIC.mmd, METRIC.mmdP, METRIC.swd, METRIC.modeWeightTv];

/** 4 significant digits; exponent form outside [1e-3, 1e5); NaN and infinities as words. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** 850 ms -> '0.9s', 75 s -> '1m15s', 2 h 3 min -> '2h03m'. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.max(0, ms) / 1000;
  const tenths = Math.round(s * 10) / 10;
  if (tenths < 60) return `${tenths.toFixed(1)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return `${m}m${String(sec).padStart(2, '0')}s`;
}

/** A key metric of a run for tables: the value, and its noise floor beside it when logged ('0.0785 (ref 0.0021)'). */
export function formatMetric(latest: Readonly<Record<string, number>>, key: string): string {
  const value = formatNumber(latest[key]);
  const ref = referenceKey(key);
  return ref !== null && ref in latest && value !== '' ? `${value} (ref ${formatNumber(latest[ref])})` : value;
}

/** A parameter value as written (numbers in full: they are the user's, not measurements). */
export function formatValue(v: unknown): string {
  return parameterValueLabel(v);
}

/** `{ 'loss.kind': 'dsm', 'sampler.stepSize': 0.1 }` -> `loss.kind=dsm sampler.stepSize=0.1`. */
export function formatParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '(base)';
  return entries.map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A plain-text table: header, a rule, rows; columns padded to their widest cell. */
export function renderTable(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(r.map((c) => c ?? '')))].join('\n');
}

/** Short column titles for metric keys: 'eval/fisher' -> 'fisher', 'sample/mode_weight_tv' -> 'mode_weight_tv'. */
export function metricTitle(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(slash + 1);
}

/** Key metrics present in any of the runs (train/loss when none of them is). */
export function presentKeyMetrics(latest: readonly Record<string, number>[]): string[] {
  const present = KEY_METRICS.filter((k) => latest.some((l) => k in l));
  if (present.length === 0 && latest.some((l) => METRIC.trainLoss in l)) return [METRIC.trainLoss];
  return present;
}

/** Cuts a line to `width` visible characters (the progress block must not wrap). */
export function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
