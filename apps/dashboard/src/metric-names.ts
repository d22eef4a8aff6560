// What the dashboard knows about metric names (DESIGN.md section 5): which way is better, and which
// keys to show first. Unknown keys are shown too; they default to lower-is-better.
import { METRIC, referenceKey } from '@scorelab/config';
import type { MetricDirection } from './api-types';

const NO_DIRECTION: ReadonlySet<string> = new Set([METRIC.energyPos, METRIC.energyNeg, METRIC.energyGap, METRIC.logZError, METRIC.boxOuterMass, METRIC.nnDist]);

export function metricDirection(key: string): MetricDirection {
  if (key === METRIC.stepsPerSec) return 'higher';
  // The fraction of samples in mode k is only good relative to the true weight: no direction.
  if (key.startsWith(METRIC.modeWeightPrefix)) return 'none';
  // Noise floors (ref/*) describe the data, not the run: never a winner. A p-value is not a
  // quality score either (p >= 0.05 = not distinguishable from data; a larger p is not "better").
  if (key.startsWith(METRIC.refPrefix) || key === METRIC.mmdP) return 'none';
  // What ML training watches (energies of positives and negatives, their gap) and the learned density's
  // quadrature checks (log Z error, mass at the box's edge) describe a run; none is a quality score. Nor is
  // sample/nn_dist: a smaller distance to the training set is memorisation, judged against ref/nn_dist.
  if (NO_DIRECTION.has(key)) return 'none';
  // Divergences, distances, losses, eval/nll (nats per sample), score evaluations (perf/nfe,
  // perf/nll_nfe) and times: lower is better; also the default for keys not known here.
  return 'lower';
}

/** Keys the researcher asks about first, in the order a "best run" metric is chosen by default. */
export const PREFERRED_METRICS = [METRIC.mmd, METRIC.swd, METRIC.modeWeightTv, METRIC.nll, METRIC.fisher, METRIC.trainLoss] as const;

/** Final metrics compared side by side in the ablation view, when present. */
export const ABLATION_METRICS = [METRIC.fisher, METRIC.nll, METRIC.mmd, METRIC.swd, METRIC.modeWeightTv] as const;

/** The default metric of a set of keys: the first preferred one present, else the first ordered key. */
export function defaultMetric(keys: readonly string[]): string | null {
  for (const k of PREFERRED_METRICS) if (keys.includes(k)) return k;
  return keys.find((k) => metricDirection(k) !== 'none') ?? null;
}

/** `a` is strictly better than `b` under `direction` (both finite). */
export function isBetter(a: number, b: number, direction: MetricDirection): boolean {
  if (direction === 'lower') return a < b;
  if (direction === 'higher') return a > b;
  return false;
}

/** Sort order for metric keys in tables: preferred first, then eval/fisher@<sigma> by sigma
 * descending (the schedule's order) and eval/fisher@t=<t> by t descending (the sampler's order,
 * noisiest first), then the rest alphabetically. */
export function compareMetricKeys(a: string, b: string): number {
  const rank = (k: string) => {
    const i = (PREFERRED_METRICS as readonly string[]).indexOf(k);
    return i >= 0 ? i : PREFERRED_METRICS.length;
  };
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  const sa = fisherLevel(a);
  const sb = fisherLevel(b);
  if (sa !== null && sb !== null) return sb - sa;
  const ta = fisherTime(a);
  const tb = fisherTime(b);
  if (ta !== null && tb !== null) return tb - ta;
  return a < b ? -1 : a > b ? 1 : 0;
}

// eval/fisher@<sigma> and eval/fisher@t=<t>, as written by fisherAtKey and fisherAtTimeKey of @scorelab/config.
const FISHER_AT = `${METRIC.fisher}@`;
const FISHER_AT_TIME = `${METRIC.fisher}@t=`;

/** The sigma of an `eval/fisher@<sigma>` key (noise-level models), or null. */
export function fisherLevel(key: string): number | null {
  if (!key.startsWith(FISHER_AT)) return null;
  const rest = key.slice(FISHER_AT.length);
  const s = rest === '' ? NaN : Number(rest);
  return Number.isFinite(s) ? s : null;
}

/** The time of an `eval/fisher@t=<t>` key (score-SDE models), or null. */
export function fisherTime(key: string): number | null {
  if (!key.startsWith(FISHER_AT_TIME)) return null;
  const rest = key.slice(FISHER_AT_TIME.length);
  const t = rest === '' ? NaN : Number(rest);
  return Number.isFinite(t) ? t : null;
}

/** `keys` with each floor moved beside its sample metric: sample/<name>, ref/<name> (and sample/mmd,
 * ref/mmd, sample/mmd_p), so a table or CSV shows next to every sample metric what true samples score. */
export function withFloorsBeside(keys: readonly string[]): string[] {
  const present = new Set(keys);
  const beside = (k: string) => [referenceKey(k), k === METRIC.mmd ? METRIC.mmdP : null].filter((x): x is string => x !== null && present.has(x));
  const placed = new Set(keys.flatMap(beside));
  return keys.filter((k) => !placed.has(k)).flatMap((k) => [k, ...beside(k)]);
}
