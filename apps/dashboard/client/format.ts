// Numbers, durations, times and swept values as the pages write them.
import { parameterValueLabel } from '@scorelab/config';
import type { JsonNumber, MetricDirection } from '../src/api-types';

/** The API sends NaN and +-Infinity as strings (JSON has no such numbers). */
export function num(v: JsonNumber | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

/** 3 significant digits; exponent form for very small or large magnitudes. */
export function fmt(value: JsonNumber | null | undefined, digits = 3): string {
  const v = num(value);
  if (v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1).replace('e+', 'e');
  if (Number.isInteger(v) && a < 1e5) return String(v);
  return String(Number(v.toPrecision(digits)));
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Local time, 'YYYY-MM-DD HH:MM'. */
export function fmtTime(epochMs: number | null | undefined): string {
  if (!epochMs) return '—';
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "dsm, 0.1" — the swept values in parameter order. */
export function paramsShort(params: Record<string, unknown>, paths?: readonly string[]): string {
  return (paths ?? Object.keys(params)).map((p) => parameterValueLabel(params[p])).join(', ');
}

export function directionWord(direction: MetricDirection | null | undefined): string {
  return direction === 'lower' ? 'lower is better' : direction === 'higher' ? 'higher is better' : 'no better direction';
}
