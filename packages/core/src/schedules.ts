/**
 * Noise schedules: the sigmas of a noise-conditional score model, ordered from the largest
 * (sigma_1 = sigmaMax) to the smallest (sigma_L = sigmaMin), as in NCSN.
 */
import type { NoiseSpec } from '@scorelab/config';

/** sigma_i = sigmaMax * (sigmaMin / sigmaMax)^((i-1)/(L-1)), i = 1..L. */
export function geometricSigmas(sigmaMax: number, sigmaMin: number, levels: number): number[] {
  checkRange(sigmaMax, sigmaMin, levels);
  if (levels === 1) return [sigmaMax];
  const ratio = Math.log(sigmaMin / sigmaMax) / (levels - 1);
  return Array.from({ length: levels }, (_, i) => (i === levels - 1 ? sigmaMin : sigmaMax * Math.exp(ratio * i)));
}

/** Evenly spaced from sigmaMax down to sigmaMin. */
export function linearSigmas(sigmaMax: number, sigmaMin: number, levels: number): number[] {
  checkRange(sigmaMax, sigmaMin, levels);
  if (levels === 1) return [sigmaMax];
  return Array.from({ length: levels }, (_, i) => (i === levels - 1 ? sigmaMin : sigmaMax + ((sigmaMin - sigmaMax) * i) / (levels - 1)));
}

/** The sigmas of a schedule (the `noise` section of an experiment file), largest first. */
export function scheduleSigmas(schedule: NoiseSpec): number[] {
  switch (schedule.schedule) {
    case 'geometric':
      return geometricSigmas(schedule.sigmaMax, schedule.sigmaMin, schedule.levels);
    case 'linear':
      return linearSigmas(schedule.sigmaMax, schedule.sigmaMin, schedule.levels);
    case 'custom': {
      const s = schedule.sigmas;
      if (s.length === 0 || s.some((v) => !(v > 0))) throw new Error('custom schedule: sigmas must be positive');
      for (let i = 1; i < s.length; i++) {
        if (!(s[i] < s[i - 1])) throw new Error('custom schedule: sigmas must be strictly decreasing');
      }
      return s.slice();
    }
  }
}

function checkRange(sigmaMax: number, sigmaMin: number, levels: number): void {
  if (!(sigmaMin > 0)) throw new Error(`sigmaMin must be > 0, got ${sigmaMin}`);
  if (!Number.isInteger(levels) || levels < 1) throw new Error(`levels must be a positive integer, got ${levels}`);
  if (levels > 1 && !(sigmaMin < sigmaMax)) throw new Error(`sigmaMin (${sigmaMin}) must be < sigmaMax (${sigmaMax})`);
}
