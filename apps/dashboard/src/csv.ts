// CSV of a sweep's runs (RFC 4180: CRLF lines, fields with a comma, quote or line break quoted,
// quotes doubled). Text fields that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the
// start) get a leading apostrophe; numbers are written as numbers.
import type { RunSummary } from '@scorelab/tracking';
import { valueLabel } from './analysis';

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value); // NaN, Infinity and -Infinity as words
  let text = typeof value === 'string' ? value : valueLabel(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function runsCsv(runs: readonly RunSummary[], paramPaths: readonly string[], metricKeys: readonly string[]): string {
  const header = ['run_id', 'idx', 'status', ...paramPaths, 'seed', 'duration_s', ...metricKeys, 'error'];
  const lines = [header.map(csvField).join(',')];
  for (const r of runs) {
    const row: unknown[] = [
      r.id,
      r.idx,
      r.status,
      ...paramPaths.map((p) => r.params[p]),
      r.seed,
      r.durationMs === null ? null : r.durationMs / 1000,
      ...metricKeys.map((k) => r.latest[k]),
      r.error === null ? null : r.error.split('\n')[0],
    ];
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
