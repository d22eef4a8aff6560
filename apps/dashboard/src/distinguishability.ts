// Whether a comparison has a winner: a sample metric's noise floor (its ref/ key), whether runs are
// indistinguishable from data (sample/mmd_p, the floor), and the verdict on the best of several
// candidates (seed spread, or the floor with one seed), configurations and single runs alike.
import { METRIC, referenceKey } from '@scorelab/config';
import type { JsonObject, RunSummary } from '@scorelab/tracking';
import type { Contender, Floor, MetricDirection, RunVerdict, Verdict } from './api-types';
import { metricDirection } from './metric-names';
import { finalRuns, stats, valueKey, valueLabel } from './run-stats';

/** sample/mmd_p at or above this: the samples are not distinguishable from data at the 5% level. */
export const MMD_P_ALPHA = 0.05;

/** The floor of a sample metric: its ref/<name> over the finished runs, or null when the metric has
 * no ref/ key or no finished run logged it. */
export function floorOf(runs: readonly RunSummary[], metric: string): Floor | null {
  const key = referenceKey(metric);
  if (key === null) return null;
  const logged = finalRuns(runs).filter((r) => r.latest[key] !== undefined);
  const s = stats(logged.map((r) => r.latest[key]));
  if (s.mean === null || s.min === null || s.max === null) return null;
  // Runs of one seed draw the same reference samples (the run's `reference` stream), so their ref/
  // values are one draw, not several: a spread needs two independent draws (distinct seed and value).
  const draws = new Set(logged.filter((r) => Number.isFinite(r.latest[key])).map((r) => `${r.seed}:${r.latest[key]}`)).size;
  // Unbiased MMD^2 scatters around 0: its noise is the size of |ref/mmd|. The other floors are
  // biased upwards (SW_2, TV of finite samples): their noise is the spread of the ref/ values.
  const centred = metric === METRIC.mmd;
  const largest = Math.max(Math.abs(s.min), Math.abs(s.max));
  const scatter = draws < 2 ? null : centred ? largest : (s.max - s.min) / 2;
  const upper = centred ? largest : scatter === null ? s.max : s.mean + scatter;
  return { key, ...s, draws, scatter, upper };
}

/** A run is indistinguishable from data by `metric` (a sample/ key): its sample/mmd_p >= 0.05, or its
 * value lies within the floor's spread. null: neither the test nor a floor is known. */
export function runFromData(r: RunSummary, metric: string, floor: Floor | null): boolean | null {
  if (!metric.startsWith('sample/') || metricDirection(metric) === 'none') return null;
  const p = r.latest[METRIC.mmdP];
  const v = r.latest[metric];
  if (p !== undefined && Number.isFinite(p) && p >= MMD_P_ALPHA) return true;
  if (floor && v !== undefined && Number.isFinite(v) && metricDirection(metric) === 'lower' && v <= floor.upper) return true;
  if (p === undefined && floor === null) return null;
  return false;
}

/** A group's runs are all indistinguishable from data (true), any is not (false), or unknown (null). */
export function groupFromData(runs: readonly RunSummary[], metric: string, floor: Floor | null): boolean | null {
  const done = finalRuns(runs).filter((r) => r.latest[metric] !== undefined);
  if (done.length === 0) return null;
  const each = done.map((r) => runFromData(r, metric, floor));
  if (each.some((f) => f === false)) return false;
  return each.every((f) => f === true) ? true : null;
}

/** What verdict() compares: a contender and the finite values behind its mean. */
export interface Candidate {
  key: string;
  label: string;
  values: readonly number[];
  fromData: boolean | null;
  /** Values by a pairing key (the other parameters and the seed: a marginal's runs), so two
   * candidates are compared on matched runs instead of through their pooled spread. */
  paired?: ReadonlyMap<string, number>;
}

/** Distinct finite values: runs that computed the same number (a model shared by two samplers, a
 * metric that ignores the pooled parameter) are one replicate, not several. */
function replicates(values: readonly number[]): number {
  return new Set(values.filter(Number.isFinite)).size;
}

function meanAndSe(values: readonly number[]): { mean: number; se: number } {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, se: sd / Math.sqrt(n) };
}

/**
 * Whether the best candidate is distinguishable from the others and from the noise floor, and every
 * candidate ranked with that uncertainty. A candidate is tied with the best when
 * - matched runs (a marginal or ablation group: the same other parameters and seed, 2+ pairs): the
 *   mean paired difference is within 2 standard errors of 0;
 * - several seeds (both have 2+ distinct values): |difference of means| <= 2 sqrt(se_a^2 + se_b^2);
 *   equal values are one replicate (copies), as are matched pairs that all differ by the same amount;
 * - one run each: they differ by less than the floor's scatter (`floor.scatter`); without a scatter
 *   (the floor rests on one reference draw: one seed) nothing bounds the noise, so they are tied;
 * - always: both are indistinguishable from data (sample/mmd_p >= 0.05 or within the floor).
 * The best is distinguishable when nothing is tied with it and it is not itself indistinguishable
 * from data. Candidates with a diverged run or no value are ranked last and never best.
 */
export function verdict(candidates: readonly Candidate[], direction: MetricDirection, floor: Floor | null, metric: string): Verdict | null {
  if (direction === 'none') return null;
  const all = candidates.map((c) => ({ c, s: stats(c.values) }));
  const eligible = all.filter((x) => x.s.mean !== null && x.s.nonfinite === 0);
  if (eligible.length === 0) return null;
  const sign = direction === 'higher' ? -1 : 1;
  eligible.sort((a, b) => sign * (a.s.mean! - b.s.mean!));
  const [best, ...rest] = eligible;
  const bm = meanAndSe(best.c.values);
  const seeds = replicates(best.c.values) >= 2;
  const scatter = floor?.scatter ?? null;
  // 'unknown': one run to compare and no floor scatter, so nothing says how far noise moves the values.
  const tiedWithBest = (x: (typeof all)[number]): 'seeds' | 'floor' | 'permutation' | 'unknown' | null => {
    if (best.c.fromData === true && x.c.fromData === true) return 'permutation';
    const xm = meanAndSe(x.c.values);
    const a = best.c.paired;
    const b = x.c.paired;
    const diffs = a && b ? [...a].flatMap(([k, v]) => (b.has(k) ? [v - b.get(k)!] : [])) : [];
    // Pairs that all differ by the same amount are copies, not replicates (a metric that does not
    // depend on the pooled parameter: eval/nll across samplers), so they say nothing about noise.
    if (diffs.length >= 2 && replicates(diffs) >= 2) {
      const d = meanAndSe(diffs);
      return Math.abs(d.mean) <= 2 * d.se ? 'seeds' : null;
    }
    if (replicates(best.c.values) >= 2 && replicates(x.c.values) >= 2) return Math.abs(bm.mean - xm.mean) <= 2 * Math.hypot(bm.se, xm.se) ? 'seeds' : null;
    if (scatter !== null) return Math.abs(bm.mean - xm.mean) < scatter ? 'floor' : null;
    return 'unknown';
  };
  const why = new Map(rest.map((x) => [x, tiedWithBest(x)]));
  const tied = rest.filter((x) => why.get(x) !== null);
  const allFromData = eligible.every((x) => x.c.fromData === true);
  const runnerUp = rest[0];
  const gap = runnerUp ? Math.abs(best.s.mean! - runnerUp.s.mean!) : null;
  const f = (v: number) => String(Number(v.toPrecision(2)));
  const floorText = scatter !== null && floor ? `the floor's scatter ±${f(scatter)} (${floor.key})` : '';
  const basis: Verdict['basis'] = seeds && runnerUp && replicates(runnerUp.c.values) >= 2 ? 'seeds' : scatter !== null ? 'floor' : best.c.fromData !== null ? 'permutation' : 'single';
  const fromDataText = metric === METRIC.mmd || allFromData ? `sample/mmd_p >= ${MMD_P_ALPHA}` : 'sample/mmd_p >= 0.05 or within the floor';
  const parts: string[] = [];
  if (allFromData && eligible.length > 1) parts.push(`every one is indistinguishable from data (${fromDataText})`);
  else if (best.c.fromData === true) parts.push(`the best is indistinguishable from data (${fromDataText})`);
  if (tied.length > 0 && !(allFromData && eligible.length > 1)) {
    const noFloor = floor
      ? `${floor.key} rests on ${floor.draws} reference draw${floor.draws === 1 ? '' : 's'}: add seeds to measure its scatter`
      : 'no floor for this metric: only seeds measure its noise';
    const words = {
      seeds: 'within the seed spread (mean ± 2 se)',
      floor: `closer than ${floorText}`,
      permutation: 'also indistinguishable from data',
      unknown: `of unknown uncertainty (one run each, and ${noFloor})`,
    } as const;
    const counted = (['permutation', 'floor', 'seeds', 'unknown'] as const).flatMap((w) => {
      const n = tied.filter((x) => why.get(x) === w).length;
      return n === 0 ? [] : [`${n} ${words[w]}`];
    });
    parts.push(`${tied.length} other${tied.length > 1 ? 's' : ''} tied with it (${counted.join(', ')})${gap !== null && why.get(runnerUp) !== null ? `; the runner-up differs by ${why.get(runnerUp) === 'unknown' ? '' : 'only '}${f(gap)}` : ''}`);
  }
  const distinguishable = tied.length === 0 && best.c.fromData !== true;
  let reason: string;
  if (!distinguishable) reason = `not distinguishable: ${parts.join('; ')}`;
  else if (!runnerUp) reason = 'the only candidate';
  else if (basis === 'floor') reason = `distinguishable: ahead of the runner-up by ${f(gap!)}, more than ${floorText}`;
  // Every other candidate was compared by seeds or matched runs (a comparison without a known
  // uncertainty is a tie, 'unknown'), so the remaining bases are the seed spread.
  else reason = `distinguishable: ahead of the runner-up by ${f(gap!)}, beyond the seed spread (mean ± 2 se)`;
  const tiedSet = new Set([best, ...tied]);
  const ranked = [...eligible, ...all.filter((x) => !eligible.includes(x))];
  const ranking: Contender[] = ranked.map((x) => ({ key: x.c.key, label: x.c.label, ...x.s, fromData: x.c.fromData, tied: tiedSet.has(x) }));
  return { distinguishable, basis, reason, fromData: best.c.fromData, ranking };
}

function paramsKey(params: JsonObject): string {
  return valueKey(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Finished runs grouped by all swept parameters (seeds pooled), as verdict() candidates. */
function configurationCandidates(runs: readonly RunSummary[], metric: string, floor: Floor | null): Candidate[] {
  const groups = new Map<string, RunSummary[]>();
  for (const r of finalRuns(runs)) {
    if (r.latest[metric] === undefined) continue;
    const key = paramsKey(r.params);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([key, g]) => ({
    key,
    label: Object.entries(g[0].params).map(([k, v]) => `${k} = ${valueLabel(v)}`).join(', '),
    values: g.map((r) => r.latest[metric]),
    fromData: groupFromData(g, metric, floor),
  }));
}

/** The verdict on bestConfiguration: is it distinguishable from the other configurations and the floor? */
export function configurationVerdict(runs: readonly RunSummary[], metric: string, floor: Floor | null = floorOf(runs, metric)): Verdict | null {
  return verdict(configurationCandidates(runs, metric, floor), metricDirection(metric), floor, metric);
}

/**
 * The verdict on bestRun: is the best single run distinguishable from every other finished run and
 * from the floor? Each run is one value, so verdict()'s one-run rules apply: the floor's scatter, or
 * both indistinguishable from data; without a scatter every other run is tied with it.
 */
export function runVerdict(runs: readonly RunSummary[], metric: string, floor: Floor | null = floorOf(runs, metric)): RunVerdict | null {
  // In idx order: the sort in verdict() is stable, so equal values rank the smallest idx first, as bestRun.
  const done = finalRuns(runs)
    .filter((r) => r.latest[metric] !== undefined)
    .sort((a, b) => a.idx - b.idx);
  const candidates = done.map((r): Candidate => ({ key: String(r.id), label: `run #${r.id}`, values: [r.latest[metric]], fromData: runFromData(r, metric, floor) }));
  const v = verdict(candidates, metricDirection(metric), floor, metric);
  if (!v) return null;
  const { ranking, ...rest } = v;
  const finite = ranking.filter((c) => c.mean !== null && c.nonfinite === 0);
  const second = finite[1];
  return {
    ...rest,
    runs: finite.length,
    tiedRunIds: finite.filter((c) => c.tied).map((c) => Number(c.key)),
    runnerUp: second && second.mean !== null ? { runId: Number(second.key), value: second.mean, tied: second.tied } : null,
  };
}
