import * as tf from '@tensorflow/tfjs';
import { type LangevinConvention, type Sampler, langevinSampler } from './sampler';

export interface LangevinOptions {
  stepSize: number;
  steps: number;
  convention?: LangevinConvention;
  /** If given, the score is called with this sigma for every row; otherwise without sigma. */
  sigma?: number;
}

/** How many snapshots a Langevin trajectory holds besides the initial samples. */
const LANGEVIN_SNAPSHOTS = 10;

/**
 * Unadjusted Langevin dynamics with a constant step size a:
 * `half`: x_{k+1} = x_k + (a/2) s(x_k) + sqrt(a) z_k,  `full`: x_{k+1} = x_k + a s(x_k) + sqrt(2a) z_k.
 */
export function langevin(opts: LangevinOptions): Sampler {
  const { stepSize, steps, sigma } = opts;
  const convention = opts.convention ?? 'half';
  checkStepSize(stepSize);
  checkSteps(steps, 'steps');
  if (sigma !== undefined && !(sigma > 0)) throw new Error(`langevin: sigma must be > 0, got ${sigma}`);
  const info = sigma === undefined ? { stepSize } : { stepSize, sigma };
  return langevinSampler({
    kind: 'langevin',
    totalSteps: steps,
    snapshotSteps: evenlySpaced(steps, LANGEVIN_SNAPSHOTS),
    convention,
    stepInfo: () => info,
    finish: (state) => tf.clone(state.x),
  });
}

/** 0 and about `count` step counts evenly spaced up to `steps` (every step if there are fewer). */
function evenlySpaced(steps: number, count: number): number[] {
  const out = new Set<number>([0]);
  for (let j = 1; j <= count; j++) out.add(Math.round((j * steps) / count));
  return [...out].sort((a, b) => a - b);
}

export function checkStepSize(stepSize: number): void {
  if (!(stepSize > 0) || !Number.isFinite(stepSize)) throw new Error(`stepSize must be a positive number, got ${stepSize}`);
}

export function checkSteps(steps: number, name: string): void {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`${name} must be a non-negative integer, got ${steps}`);
}
