/**
 * One run, from its resolved config to metrics and artifacts (DESIGN.md section 1): build the
 * dataset, the noise family (noise levels or an sde) and the score model, train with periodic
 * evaluation, sample, and measure the samples. Storage, processes and progress display are the
 * caller's business: everything leaves through `RunHooks`. No Node API is used, so a browser can run it.
 */
import { hasExactDensity, type DataPoints } from '@scorelab/datasets';
import { hasKnownDensity, type ResolvedRunConfig } from '@scorelab/config';
import { evaluateFisher, evaluateNll } from './evaluate';
import { heldOutLossPoints, prepareHeldOutEvaluation } from './heldout-eval';
import type { RunHooks, RunOutcome } from './hooks';
import { densityStage } from './density-stage';
import type { TrainingStart } from './model-checkpoints';
import { buildAnyRunModel, isDensityRunModel, trainRunModel, type AnyRunModel } from './run-model';
import { heldOutRng } from './rngs';
import { sampleAndMeasure } from './sample-stage';

export interface ExecuteRunOptions {
  /**
   * Start from a checkpoint instead of step 0: the run's own (`resume`), or the final checkpoint of a
   * trained model of the same training hash (`trained`: no training, only evaluation and sampling).
   */
  start?: TrainingStart | null;
  /** The rows of a `file` dataset, read by the caller (the runner's loadFileDataset): required for dataset.kind file. */
  points?: DataPoints;
  /**
   * Called once with the run's model, before training: a host may look at it between steps (the playground's
   * live score field, in hooks.yield). It must not draw from the model's random streams.
   */
  observe?: (model: AnyRunModel) => void;
}

export async function executeRun(config: ResolvedRunConfig, seed: number, hooks: RunHooks, options: ExecuteRunOptions = {}): Promise<RunOutcome> {
  hooks.progress({ phase: 'setup', step: 0, totalSteps: 0 });
  if (config.eval?.metrics.includes('fisher') && !hasKnownDensity(config.dataset)) {
    throw new Error(`eval.metrics fisher needs the exact perturbed score, and dataset ${config.dataset.kind} has no known density`);
  }
  const model = buildAnyRunModel(config, seed, { points: options.points });
  options.observe?.(model);
  // forwardScore: the fused kernels on the fused engine (samplers, eval/fisher, eval/dsm); score stays differentiable (eval/nll, eval/ssm).
  // exact is null for data without a known density (digits, file): the config rules refuse what needs it (fisher, analytic, density).
  const { family, dataset, score, forwardScore, exact, rngs, network } = model;
  const metrics = config.eval?.metrics ?? [];
  const wantsFisher = metrics.includes('fisher');
  // The held-out set of eval/nll is drawn once, so its curve over training steps is not data noise: fresh draws of a
  // density, the test rows of data points. A 2-D energy model's eval/nll is its quadrature-normalised density
  // (density-stage.ts), not the probability flow's.
  const flowNll = metrics.includes('nll') && family.kind === 'sde' && !(network?.kind === 'energy' && dataset.dim === 2);
  const heldOut = !flowNll ? null : hasExactDensity(dataset) ? dataset.sample(config.eval!.samples, rngs.likelihood) : dataset.rows('test', rngs.likelihood);
  // eval/dsm and eval/ssm: their held-out set and noise from a stream of their own (no other stream changes).
  const wantsHeldOutLoss = metrics.includes('dsm') || metrics.includes('ssm');
  const heldOutLoss = wantsHeldOutLoss ? prepareHeldOutEvaluation(dataset, heldOutRng(seed), config.eval?.samples) : null;
  const density = isDensityRunModel(model) ? densityStage(model, hooks) : null;
  const evaluate =
    wantsFisher || heldOut || heldOutLoss || density
      ? (step: number) => {
          if (wantsFisher && exact && hasExactDensity(dataset)) evaluateFisher(family, dataset, forwardScore, exact, config.eval?.samples ?? 1000, rngs.eval, step, hooks);
          if (heldOut && family.kind === 'sde') evaluateNll(family.sde, score, heldOut, rngs.likelihood, step, hooks);
          if (heldOutLoss) hooks.log(heldOutLossPoints(metrics, family, heldOutLoss, { score, forwardScore }, step));
          density?.evaluate(step);
        }
      : null;
  try {
    const start = options.start ?? null;
    const trainSteps = await trainRunModel(model, hooks, evaluate, start);
    // No training here (the analytic model, or a trained model loaded): evaluate once, at its step.
    if ((trainSteps === 0 || start?.kind === 'trained') && evaluate) {
      hooks.progress({ phase: 'eval', step: trainSteps, totalSteps: trainSteps });
      evaluate(trainSteps);
    }
    density?.finish();
    if (config.sampler) sampleAndMeasure(config, config.sampler, family, dataset, forwardScore, network?.score ?? null, exact, rngs, trainSteps, hooks);
    return { trainSteps, parameterCount: network?.parameterCount() ?? 0, engine: model.engine };
  } finally {
    model.dispose();
    heldOut?.dispose();
    heldOutLoss?.dispose();
  }
}
