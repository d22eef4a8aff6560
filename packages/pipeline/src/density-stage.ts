/**
 * When a run measures its learned 2-D density (eval.metrics `density`, or `nll` of an energy model
 * without an sde: docs/numerics.md "Learned densities in 2-D"): the evaluation prepared once per run
 * from the `likelihood` stream, measured at every evaluation, and the learned-density artifacts of the
 * last measurement saved when the run's evaluation is over.
 */
import type { RunHooks } from './hooks';
import { densityArtifacts, densityCondition, exactEnergy, pointEnergyOf, pointFieldOf, prepareDensityEvaluation, type DensityModel, type DensityResult } from './density-eval';
import type { RunModel } from './run-model';

export interface DensityStage {
  evaluate(step: number): void;
  /** Saves the learned-density artifacts of the last evaluation (nothing before the first). */
  finish(): void;
}

/**
 * Whether the run measures its learned 2-D density: eval.metrics `density`, or `nll` of a 2-D energy
 * model (there the quadrature of exp(-E) is the density the model defines, and it replaces the
 * probability-flow likelihood an sde run would otherwise compute).
 */
export function wantsDensity(config: RunModel['config'], dim: number): boolean {
  const metrics = config.eval?.metrics ?? [];
  return metrics.includes('density') || (metrics.includes('nll') && config.model.kind === 'energy' && dim === 2);
}

/**
 * The density stage of the run, or null when it measures none. Draws from rngs.likelihood after the
 * probability-flow held-out set (an sde run's eval/nll), so that set and its numbers do not change.
 */
export function densityStage(model: RunModel, hooks: RunHooks): DensityStage | null {
  const { dataset, family, network, rngs, config } = model;
  if (!wantsDensity(config, dataset.dim)) return null;
  if (dataset.dim !== 2) {
    throw new Error(`eval.metrics density normalises the learned density on a 2-D grid, and the ${config.dataset.kind} data have dimension ${dataset.dim}`);
  }
  const { cond, sigma } = densityCondition(family);
  const evaluation = prepareDensityEvaluation(dataset, rngs.likelihood, { sigma, heldOut: config.eval?.samples });
  const densityModel: DensityModel =
    network === null
      ? { kind: 'energy', energy: exactEnergy(dataset, sigma) }
      : network.kind === 'energy'
        ? { kind: 'energy', energy: pointEnergyOf(network.energy, cond) }
        : { kind: 'score', score: pointFieldOf(model.forwardScore, cond) };
  let last: DensityResult | null = null;
  return {
    evaluate(step) {
      last = evaluation.measure(densityModel, step);
      hooks.log(last.records);
    },
    finish() {
      if (!last) return;
      for (const a of densityArtifacts(evaluation, last)) hooks.artifact(a.name, a.kind, a.content);
    },
  };
}
