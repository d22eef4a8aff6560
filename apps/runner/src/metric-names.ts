/** Metric keys of DESIGN.md section 5: one name per concept, used by runner, store and dashboard. */
export const METRIC = {
  trainLoss: 'train/loss',
  gradNorm: 'train/grad_norm',
  stepsPerSec: 'perf/steps_per_sec',
  sampleSeconds: 'perf/sample_seconds',
  fisher: 'eval/fisher',
  mmd: 'sample/mmd',
  swd: 'sample/swd',
  modeWeightTv: 'sample/mode_weight_tv',
  modeWeight: (k: number) => `sample/mode_weight/${k}`,
} as const;

/** eval/fisher@<sigma>, sigma with 4 significant digits (20, 7.170, 0.01 -> '20', '7.17', '0.01'). */
export function fisherAtKey(sigma: number): string {
  return `eval/fisher@${Number(sigma.toPrecision(4))}`;
}
