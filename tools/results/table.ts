/**
 * Summary statistics over seeds and Markdown tables for the result scripts. The tables are padded
 * so that they read as aligned text in a terminal and are valid GitHub Markdown as printed.
 */

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); NaN for n < 2. */
  sd: number;
  min: number;
  max: number;
}

/** Summary of the finite values of xs (NaN everywhere when there are none). */
export function summarize(xs: readonly number[]): Summary {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN, min: NaN, max: NaN };
  const mean = v.reduce((a, x) => a + x, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, min: Math.min(...v), max: Math.max(...v) };
}

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Pearson correlation of paired finite values; NaN with fewer than 3 pairs or zero variance. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const pairs = xs.map((x, i) => [x, ys[i]] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pairs.length < 3) return NaN;
  const mx = pairs.reduce((a, [x]) => a + x, 0) / pairs.length;
  const my = pairs.reduce((a, [, y]) => a + y, 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Ranks (1-based, ties get their mean rank), for a Spearman correlation: pearson(ranks(x), ranks(y)). */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Least-squares slope of log y against log x. */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, v) => a + v, 0) / lx.length;
  const my = ly.reduce((a, v) => a + v, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  lx.forEach((x, i) => {
    sxy += (x - mx) * (ly[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

/**
 * A number with `digits` significant digits, in plain notation between 1e-3 and 1e5 and in
 * exponent notation outside; NaN and infinities spelled out.
 */
export function fmt(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = x.toExponential(digits - 1).split('e');
    return `${m}e${Number(e)}`;
  }
  return String(Number(x.toPrecision(digits)));
}

/** A number with a fixed count of decimals (for fractions and TVs, so columns line up). */
export function fixed(x: number, decimals = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x.toFixed(decimals);
}

/** "mean ± sd" of a summary ("mean" alone for one value). */
export function meanSd(s: Summary, format: (x: number) => string = fmt): string {
  if (s.n === 0) return '—';
  return s.n < 2 ? format(s.mean) : `${format(s.mean)} ± ${format(s.sd)}`;
}

/** "min – max" of a summary. */
export function range(s: Summary, format: (x: number) => string = fmt): string {
  if (s.n === 0) return '—';
  return `${format(s.min)} – ${format(s.max)}`;
}

export type Align = 'left' | 'right';

/**
 * A Markdown table; numeric-looking columns are right-aligned unless `align` says otherwise.
 * Cells may not contain '|' (it is escaped).
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const cols = header.length;
  for (const [i, row] of rows.entries()) {
    if (row.length !== cols) throw new Error(`table row ${i} has ${row.length} cells, the header has ${cols}`);
  }
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const cells = [header, ...rows].map((row) => row.map(esc));
  const numeric = /^[-+]?(\d|\.\d|NaN|inf|—)/;
  const aligns: Align[] = header.map((_, c) => align?.[c] ?? (rows.length > 0 && rows.every((row) => numeric.test(row[c].trim()) || row[c].trim() === '') ? 'right' : 'left'));
  const widths = header.map((_, c) => Math.max(3, ...cells.map((row) => [...row[c]].length)));
  const pad = (s: string, c: number) => {
    const fill = ' '.repeat(widths[c] - [...s].length);
    return aligns[c] === 'right' ? fill + s : s + fill;
  };
  const line = (row: readonly string[]) => `| ${row.map((s, c) => pad(s, c)).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (aligns[c] === 'right' ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}
