/**
 * Evaluation during training: eval/fisher with its per-level or per-time keys against the exact
 * perturbed score (one metric for the whole noise family), and eval/nll through the probability-flow
 * ODE (sde runs).
 */
import * as tf from '@tensorflow/tfjs';
import { evaluationPoints, type NoiseFamily, type Rng, type Sde, type ScoreFn } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import { fisherDivergence, probabilityFlowLogLikelihood, type LikelihoodDivergence } from '@scorelab/metrics';
import { METRIC, fisherAtKey, fisherAtTimeKey } from '@scorelab/config';
import type { MetricRecord, RunHooks } from './hooks';

/**
 * eval/nll uses the exact divergence (D backward passes per ODE evaluation) up to this dimension, and
 * Hutchinson's unbiased v^T J v with one Rademacher vector per point above it (one pass).
 */
export const EXACT_DIVERGENCE_MAX_DIM = 8;

/**
 * eval/fisher = (1/K) sum_k s_k^2 F_k and eval/fisher@<sigma> or eval/fisher@t=<t> = F_k at every
 * evaluation point of the family (core evaluationPoints), F_k = 1/2 E ||s(x, c_k) - grad log p_k(x)||^2
 * on x = m_k x_0 + s_k z. Noise levels draw a fresh data batch per level; an sde perturbs one batch at
 * every time (each is unbiased; they are kept as they were so the numbers stay comparable across versions).
 */
export function evaluateFisher(family: NoiseFamily, dataset: Dataset, model: ScoreFn, exact: ScoreFn, n: number, rng: Rng, step: number, hooks: RunHooks): void {
  const points = evaluationPoints(family);
  const shared = family.kind === 'sde' ? dataset.sample(n, rng) : null;
  const samples = points.map(({ mean, std }) =>
    tf.tidy(() => {
      const x0 = shared ?? dataset.sample(n, rng);
      if (std === 0) return x0;
      return tf.add(mean === 1 ? x0 : tf.mul(x0, mean), tf.mul(rng.normalTensor([n, dataset.dim]), std)) as tf.Tensor2D;
    }),
  );
  let result;
  try {
    result = fisherDivergence({ model, exact, points, samples });
  } finally {
    samples.forEach((x) => x.dispose());
    shared?.dispose();
  }
  const records: MetricRecord[] = [{ key: METRIC.fisher, step, value: result.weighted }];
  if (family.kind !== 'clean') {
    const key = family.kind === 'sde' ? fisherAtTimeKey : fisherAtKey;
    points.forEach((p, i) => records.push({ key: key(p.cond!), step, value: result.perPoint[i] }));
  }
  hooks.log(records);
}

/**
 * eval/nll = -mean log p_eps(x) over the held-out points (nats per sample) at the training and likelihood
 * eps (sde.trainEps, as score_sde), and perf/nll_nfe: score forward passes, D per ODE evaluation with the
 * exact divergence (each with a backward pass), 1 with Hutchinson.
 */
export function evaluateNll(sde: Sde, score: ScoreFn, heldOut: tf.Tensor2D, rng: Rng, step: number, hooks: RunHooks): void {
  const divergence: LikelihoodDivergence = heldOut.shape[1] <= EXACT_DIVERGENCE_MAX_DIM ? 'exact' : 'hutchinson';
  const result = probabilityFlowLogLikelihood(score, sde, heldOut, { divergence, rng, eps: sde.trainEps });
  let total = 0;
  for (const v of result.logLikelihood) total += v;
  hooks.log([
    { key: METRIC.nll, step, value: -total / result.logLikelihood.length },
    { key: METRIC.nllNfe, step, value: result.nfe },
  ]);
}
