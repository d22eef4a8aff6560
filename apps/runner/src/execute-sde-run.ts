/**
 * A run whose model is conditioned on the time of a score SDE (config `sde`, docs/sde.md): the
 * time-conditional MLP trained with continuous-time DSM/SSM, or the exact marginal score
 * (`analytic`); evaluation by the time-weighted Fisher divergence and the probability-flow
 * likelihood of held-out data; sampling from the prior with a reverse-SDE or ODE sampler.
 */
import * as tf from '@tensorflow/tfjs';
import { analyticTimeScore, createTimeScoreNetwork, sdeFromSpec, type Rng, type Sde, type TimeScoreFn, type TimeScoreNetwork } from '@scorelab/core';
import type { Dataset } from '@scorelab/datasets';
import { createSdeLoss, type SdeLossSpec } from '@scorelab/losses';
import { probabilityFlowLogLikelihood, sdeFisherDivergence, type LikelihoodDivergence } from '@scorelab/metrics';
import { createSdeSampler, runSdeSampler, type SdeSamplerSpec } from '@scorelab/samplers';
import { timeScoreField } from './artifacts';
import { METRIC, fisherAtTimeKey, type ResolvedRunConfig, type SdeSpec } from '@scorelab/config';
import { RunStopped, recordSamples, trainLoop, type MetricRecord, type RunHooks, type RunOutcome, type RunRngs } from './run-stages';

/**
 * eval/nll uses the exact divergence (D backward passes per ODE evaluation) up to this dimension, and
 * Hutchinson's unbiased v^T J v with one Rademacher vector per point above it (one pass).
 */
export const EXACT_DIVERGENCE_MAX_DIM = 8;

/**
 * Times of eval/fisher@t=<t>: eps, then 0.1, 0.2, ..., 1 (those above eps), so the keys are round
 * numbers; eval/fisher is the mean of s(t)^2 F(t) over them.
 */
export function fisherTimes(sde: Sde): number[] {
  const times = [sde.eps];
  for (let k = 1; k <= 10; k++) if (k / 10 > sde.eps) times.push(k / 10);
  return times;
}

/** "t=1.00", "t=0.50", ... for snapshots; small times in full ("t=0.001", "t=0.00001"). */
export function timeLabel(t: number): string {
  return `t=${t >= 0.01 ? t.toFixed(2) : String(Number(t.toPrecision(2)))}`;
}

export async function executeSdeRun(config: ResolvedRunConfig, spec: SdeSpec, dataset: Dataset, rngs: RunRngs, hooks: RunHooks): Promise<RunOutcome> {
  const sde = sdeFromSpec(spec);
  const exact = analyticTimeScore(dataset, sde);
  let network: TimeScoreNetwork | null = null;
  let score: TimeScoreFn;
  switch (config.model.kind) {
    case 'analytic':
      score = exact;
      break;
    case 'mlp': {
      const m = config.model;
      network = createTimeScoreNetwork(
        { inputDim: dataset.dim, hidden: m.hidden, activation: m.activation, fourierFeatures: m.fourierFeatures, fourierScale: m.fourierScale, timeInput: m.timeInput },
        sde,
        rngs.init,
      );
      score = network.score;
      break;
    }
  }
  const metrics = config.eval?.metrics ?? [];
  const wantsFisher = metrics.includes('fisher');
  const wantsNll = metrics.includes('nll');
  // The held-out set of eval/nll is drawn once, so its curve over training steps is not data noise.
  const heldOut = wantsNll ? dataset.sample(config.eval!.samples, rngs.likelihood) : null;
  const evaluate = (step: number) => {
    if (wantsFisher) evaluateSdeFisher(config, dataset, sde, score, exact, rngs.eval, step, hooks);
    if (heldOut) evaluateNll(sde, score, heldOut, rngs.likelihood, step, hooks);
  };
  let trainSteps = 0;
  try {
    if (network && config.train && config.loss) {
      const net = network;
      const trainSpec = config.train;
      trainSteps = trainSpec.steps;
      const loss = createSdeLoss(sdeLossSpec(config.loss), sde);
      await trainLoop(
        {
          train: trainSpec,
          params: net.params,
          objective: () => loss(net.score, dataset.sample(trainSpec.batchSize, rngs.data), rngs.loss),
          evaluate: wantsFisher || wantsNll ? evaluate : null,
          evalEvery: config.eval?.every ?? trainSpec.steps,
        },
        hooks,
      );
    } else if (wantsFisher || wantsNll) {
      hooks.progress({ phase: 'eval', step: 0, totalSteps: 0 });
      evaluate(0);
    }
    if (config.sampler) sampleAndMeasure(config, dataset, sde, score, network ? score : null, exact, rngs, trainSteps, hooks);
    return { trainSteps, parameterCount: network?.parameterCount() ?? 0 };
  } finally {
    network?.dispose();
    heldOut?.dispose();
  }
}

function sdeLossSpec(loss: NonNullable<ResolvedRunConfig['loss']>): SdeLossSpec {
  // sm and weighting none are ruled out by the config rules for sde runs.
  if (loss.weighting === 'none') throw new Error('loss.weighting none is not available with an sde');
  switch (loss.kind) {
    case 'dsm':
      return { kind: 'dsm', weighting: loss.weighting };
    case 'ssm':
    case 'ssm-vr':
      return { kind: loss.kind, weighting: loss.weighting, projection: loss.projection, projections: loss.projections };
    case 'sm':
      throw new Error('loss.kind sm is not available with an sde');
  }
}

/**
 * eval/fisher = mean_k s(t_k)^2 F(t_k) and eval/fisher@t=<t_k> = F(t_k), with
 * F(t) = 1/2 E ||s(x_t, t) - grad log p_t(x_t)||^2 on x_t = m(t) x_0 + s(t) z, x_0 fresh data (eval.samples points).
 */
function evaluateSdeFisher(config: ResolvedRunConfig, dataset: Dataset, sde: Sde, model: TimeScoreFn, exact: TimeScoreFn, rng: Rng, step: number, hooks: RunHooks): void {
  const x0 = dataset.sample(config.eval?.samples ?? 1000, rng);
  try {
    const times = fisherTimes(sde);
    const result = sdeFisherDivergence({ model, exact, sde, x0, times, weighting: 'sigma2', rng });
    const points: MetricRecord[] = [{ key: METRIC.fisher, step, value: result.weighted }];
    times.forEach((t, k) => points.push({ key: fisherAtTimeKey(t), step, value: result.perTime[k] }));
    hooks.log(points);
  } finally {
    x0.dispose();
  }
}

/** eval/nll = -mean log p_eps(x) over the held-out points (nats per sample), and perf/nll_nfe. */
function evaluateNll(sde: Sde, score: TimeScoreFn, heldOut: tf.Tensor2D, rng: Rng, step: number, hooks: RunHooks): void {
  const divergence: LikelihoodDivergence = heldOut.shape[1] <= EXACT_DIVERGENCE_MAX_DIM ? 'exact' : 'hutchinson';
  const result = probabilityFlowLogLikelihood(score, sde, heldOut, { divergence, rng });
  let total = 0;
  for (const v of result.logLikelihood) total += v;
  hooks.log([
    { key: METRIC.nll, step, value: -total / result.logLikelihood.length },
    { key: METRIC.nllNfe, step, value: result.nfe },
  ]);
}

/** Samples from the prior at T down to eps, then the sample metrics and artifacts (score field at t = eps). */
function sampleAndMeasure(
  config: ResolvedRunConfig,
  dataset: Dataset,
  sde: Sde,
  score: TimeScoreFn,
  model: TimeScoreFn | null,
  exact: TimeScoreFn,
  rngs: RunRngs,
  step: number,
  hooks: RunHooks,
): void {
  const spec = config.sampler!;
  if (spec.kind === 'langevin' || spec.kind === 'ald') throw new Error(`sampler ${spec.kind} samples noise levels, not an sde`); // ruled out by the config rules
  const sampler = createSdeSampler(spec as SdeSamplerSpec, sde);
  const xT = sde.priorSample(spec.samples, dataset.dim, rngs.sample);
  const t0 = performance.now();
  let result: ReturnType<typeof runSdeSampler>;
  try {
    result = runSdeSampler(sampler, score, xT, rngs.sample, {
      recordTrajectory: dataset.dim === 2,
      progressEvery: 10,
      onProgress: (p) => {
        hooks.progress({ phase: 'sample', step: p.step, totalSteps: p.totalSteps ?? 0 });
        // Abort the synchronous sampler loop; runSdeSampler disposes its tensors on the way out.
        if (hooks.shouldStop()) throw new RunStopped(step);
      },
    });
  } finally {
    xT.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  try {
    if (hooks.shouldStop()) throw new RunStopped(step);
    const output = {
      samples: result.samples,
      trajectory: result.trajectory,
      trajectoryLabels: (result.trajectoryTimes ?? []).map(timeLabel),
      scoreEvaluations: result.scoreEvaluations,
      seconds,
    };
    recordSamples(config, dataset, output, timeScoreField(exact, model, sampler.eps), rngs.metrics, step, hooks);
  } finally {
    result.samples.dispose();
    result.trajectory?.forEach((t) => t.dispose());
  }
}
