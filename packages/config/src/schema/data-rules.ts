// Rules for datasets without a known density (digits, file) and for the ground-truth-free metrics:
// whatever needs the exact score is refused, naming the key. Called from runConfigRules (run-config.ts).
import { hasKnownDensity, type DatasetSpec } from './dataset';
import type { ModelSpec } from './model';
import type { NoiseSpec } from './noise';
import type { SdeSpec } from './sde';

/** The sections these rules read (a run config satisfies it; no import of run-config.ts, which calls this). */
interface Config {
  dataset: DatasetSpec;
  model: ModelSpec;
  noise?: NoiseSpec;
  sde?: SdeSpec;
  eval?: { metrics: readonly string[] };
}
type Add = (path: (string | number)[], message: string) => void;

/**
 * - model analytic is the dataset's exact score: refused for digits and file data;
 * - eval.metrics fisher compares with the exact perturbed score: refused for them (use dsm or ssm, held-out losses);
 * - eval.metrics density and nll of an energy model without an sde compare with the exact density on a grid:
 *   refused for them;
 * - eval.metrics nnDist measures distances to the training rows: only digits and file data have them;
 * - eval.metrics dsm (the held-out denoising loss) needs noise levels or an sde, for every dataset.
 * (modeWeights is refused for every dataset that is not a mixture by runConfigRules itself.)
 */
export function dataRules(c: Config, add: Add): void {
  const known = hasKnownDensity(c.dataset);
  const what = `dataset ${c.dataset.kind} has no known density`;
  if (!known && c.model.kind === 'analytic') {
    add(['model', 'kind'], `analytic is the dataset's exact score, and ${what}: train a network (model.kind mlp) instead`);
  }
  c.eval?.metrics.forEach((m, i) => {
    if (!known && m === 'fisher') add(['eval', 'metrics', i], `fisher compares the model with the exact perturbed score, and ${what}: use dsm or ssm (held-out losses) instead`);
    if (!known && (m === 'density' || (m === 'nll' && !c.sde && c.model.kind === 'energy'))) {
      add(['eval', 'metrics', i], `${m} normalises the learned density on a grid and compares it with the exact density, and ${what}: use dsm or ssm (held-out losses) instead`);
    }
    if (known && m === 'nnDist') add(['eval', 'metrics', i], `nnDist measures the samples' distance to the training points, and dataset ${c.dataset.kind} is a distribution, not a set of points (digits and file datasets only)`);
    if (m === 'dsm' && !c.noise && !c.sde) add(['eval', 'metrics', i], 'dsm (the held-out denoising loss) needs noise levels or an sde section; without noise use ssm');
  });
}
