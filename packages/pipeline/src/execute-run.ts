/**
 * One run, from its resolved config to metrics and artifacts (DESIGN.md section 1): build the
 * dataset, the noise family (noise levels or an sde) and the score model, train with periodic
 * evaluation, sample, and measure the samples. Storage, processes and progress display are the
 * caller's business: everything leaves through `RunHooks`. No Node API is used, so a browser can run it.
 */
import type { ResolvedRunConfig } from '@scorelab/config';
import { evaluateFisher, evaluateNll } from './evaluate';
import type { RunHooks, RunOutcome } from './hooks';
import type { TrainingStart } from './model-checkpoints';
import { buildRunModel, trainRunModel } from './run-model';
import { sampleAndMeasure } from './sample-stage';

export interface ExecuteRunOptions {
  /**
   * Start from a checkpoint instead of step 0: the run's own (`resume`), or the final checkpoint of a
   * trained model of the same training hash (`trained`: no training, only evaluation and sampling).
   */
  start?: TrainingStart | null;
}

export async function executeRun(config: ResolvedRunConfig, seed: number, hooks: RunHooks, options: ExecuteRunOptions = {}): Promise<RunOutcome> {
  hooks.progress({ phase: 'setup', step: 0, totalSteps: 0 });
  const model = buildRunModel(config, seed);
  // forwardScore: the fused kernels on the fused engine (samplers, eval/fisher); score stays differentiable (eval/nll).
  const { family, dataset, score, forwardScore, exact, rngs, network } = model;
  const metrics = config.eval?.metrics ?? [];
  const wantsFisher = metrics.includes('fisher');
  // The held-out set of eval/nll is drawn once, so its curve over training steps is not data noise.
  const heldOut = metrics.includes('nll') && family.kind === 'sde' ? dataset.sample(config.eval!.samples, rngs.likelihood) : null;
  const evaluate =
    wantsFisher || heldOut
      ? (step: number) => {
          if (wantsFisher) evaluateFisher(family, dataset, forwardScore, exact, config.eval?.samples ?? 1000, rngs.eval, step, hooks);
          if (heldOut && family.kind === 'sde') evaluateNll(family.sde, score, heldOut, rngs.likelihood, step, hooks);
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
    if (config.sampler) sampleAndMeasure(config, config.sampler, family, dataset, forwardScore, network?.score ?? null, exact, rngs, trainSteps, hooks);
    return { trainSteps, parameterCount: network?.parameterCount() ?? 0, engine: model.engine };
  } finally {
    model.dispose();
    heldOut?.dispose();
  }
}
