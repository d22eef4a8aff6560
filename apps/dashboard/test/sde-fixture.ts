// A score-SDE sweep added to a store the way the runner writes one (docs/sde.md, docs/experiment-file.md),
// through the tracking API only: "fixture-sde" = sde [ve, vp] x sampler [euler-maruyama, ode] on
// mog2d-weighted with a time-conditional MLP trained by DSM, metrics [fisher, nll, mmd, modeWeights].
// Keys: eval/fisher and eval/fisher@t=<t> (t = eps, 0.1, ..., 1), eval/nll and perf/nll_nfe at each
// evaluation; perf/nfe, perf/sample_seconds and sample/* at the end; artifacts with the score field at
// t = eps (`time`, sigma null) and a trajectory labelled by time. The numbers are synthetic.
import { expandSweep, validateExperiment } from '@scorelab/config';
import { openStore, type MetricPoint } from '@scorelab/tracking';

const STEPS = 200;
const EVAL_EVERY = 100;
/** The NLL of the exact model on held-out data, about the mixture's entropy 1 + log(2 pi) + H(0.2, 0.8). */
const ENTROPY = 1 + Math.log(2 * Math.PI) - 0.2 * Math.log(0.2) - 0.8 * Math.log(0.8);

export async function addSdeSweep(path: string): Promise<{ sweepId: number; sweepName: string; runIds: number[] }> {
  let clock = Date.UTC(2025, 5, 2, 9, 0, 0);
  const store = await openStore(path, { now: () => clock });
  try {
    const experiment = validateExperiment({
      name: 'fixture-sde',
      description: 'VE vs VP, Euler-Maruyama vs the probability-flow ODE (dashboard test fixture).',
      base: {
        dataset: { kind: 'mog2d-weighted' },
        model: { kind: 'mlp', hidden: [32, 32] },
        sde: { kind: 'vp' },
        loss: { kind: 'dsm' },
        train: { steps: STEPS, logEvery: 50 },
        sampler: { kind: 'euler-maruyama', steps: 100, samples: 100 },
        eval: { every: EVAL_EVERY, metrics: ['fisher', 'nll', 'mmd', 'modeWeights'], samples: 100 },
      },
      parameters: {
        sde: [{ kind: 've', sigmaMax: 100 }, { kind: 'vp' }],
        sampler: [
          { kind: 'euler-maruyama', steps: 100, samples: 100 },
          { kind: 'ode', samples: 100 },
        ],
      },
    });
    const sweep = await store.createSweep({ name: experiment.name, description: experiment.description, config: experiment as unknown as Record<string, unknown>, filePath: 'experiments/fixture-sde.yaml' });
    const expanded = expandSweep(experiment);
    const runs = await store.addRuns(
      sweep.id,
      expanded.map((r) => ({ idx: r.index, params: r.params, config: r.config as unknown as Record<string, unknown>, configHash: r.hash, seed: r.seed })),
    );
    for (const [i, run] of runs.entries()) {
      const config = expanded[i].config;
      const eps = config.sde!.eps;
      const ode = config.sampler!.kind === 'ode';
      const times = [eps, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
      await store.startRun(run.id, { backend: 'wasm', versions: { node: '20.19.0', tfjs: '4.22.0', scorelab: '0.1.0' }, host: 'fixture', pid: 4343 });
      const t0 = clock;
      const points: MetricPoint[] = [];
      const at = (step: number) => t0 + step * 10;
      for (let step = 50; step <= STEPS; step += 50) {
        points.push({ key: 'train/loss', step, value: 1 + 1 / step, wallTime: at(step) });
        points.push({ key: 'train/grad_norm', step, value: 2 / Math.sqrt(step), wallTime: at(step) });
        points.push({ key: 'perf/steps_per_sec', step, value: 300, wallTime: at(step) });
        if (step % EVAL_EVERY === 0) {
          // F(t) grows towards t = eps, where the score is steepest; eval/fisher = mean of s(t)^2 F(t), here s(t) = 1.
          const perTime = times.map((t) => (0.05 + 0.1 / (t + 0.05)) * (1 + i / 10) * (EVAL_EVERY / step));
          points.push({ key: 'eval/fisher', step, value: perTime.reduce((a, b) => a + b, 0) / times.length, wallTime: at(step) });
          times.forEach((t, k) => points.push({ key: `eval/fisher@t=${Number(t.toPrecision(4))}`, step, value: perTime[k], wallTime: at(step) }));
          points.push({ key: 'eval/nll', step, value: ENTROPY + (0.3 + 0.05 * i) * (EVAL_EVERY / step), wallTime: at(step) });
          points.push({ key: 'perf/nll_nfe', step, value: 110 + 12 * i, wallTime: at(step) });
        }
      }
      const w1 = 0.8 - 0.02 * i;
      points.push({ key: 'perf/sample_seconds', step: STEPS, value: ode ? 0.6 : 2.5, wallTime: at(STEPS) });
      points.push({ key: 'perf/nfe', step: STEPS, value: ode ? 104 + 6 * i : 100, wallTime: at(STEPS) });
      points.push({ key: 'sample/mmd', step: STEPS, value: 0.002 * (1 + i), wallTime: at(STEPS) });
      points.push({ key: 'sample/mode_weight_tv', step: STEPS, value: Math.abs(w1 - 0.8), wallTime: at(STEPS) });
      points.push({ key: 'sample/mode_weight/0', step: STEPS, value: 1 - w1, wallTime: at(STEPS) });
      points.push({ key: 'sample/mode_weight/1', step: STEPS, value: w1, wallTime: at(STEPS) });
      await store.logMetrics(run.id, points);

      const samples = new Float32Array(200);
      for (let k = 0; k < 100; k++) samples.set(k < 100 * w1 ? [5 + Math.sin(k), 5 + Math.cos(k)] : [-5 + Math.sin(k), -5 + Math.cos(k)], 2 * k);
      await store.saveArtifact(run.id, { name: 'samples', kind: 'samples', content: { format: 'float32', shape: [100, 2], data: samples } });
      const grid = { xmin: -9, xmax: 9, ymin: -9, ymax: 9, nx: 3, ny: 3 };
      const pts = [-9, 0, 9].flatMap((y) => [-9, 0, 9].map((x) => [x, y]));
      const exact = pts.map(([x, y]) => (x + y < 0 ? [-5 - x, -5 - y] : [5 - x, 5 - y]));
      await store.saveArtifact(run.id, {
        name: 'score-field',
        kind: 'score-field',
        content: { format: 'json', value: { grid, sigma: null, time: eps, points: pts, model: exact.map(([u, v]) => [0.9 * u, 0.9 * v]), exact } },
      });
      const labels = ['t=1.00', 't=0.50', `t=${eps}`];
      const snapshots = labels.map((_, k) => Array.from({ length: 10 }, (__, m) => [samples[2 * m] * (k / 2) + 20 * (1 - k / 2), samples[2 * m + 1] * (k / 2)]));
      await store.saveArtifact(run.id, { name: 'trajectory', kind: 'trajectory', content: { format: 'json', value: { labels, snapshots } } });
      clock = at(STEPS) + 1000;
      await store.heartbeat(run.id, { step: STEPS, totalSteps: STEPS });
      await store.finishRun(run.id);
    }
    await store.setSweepStatus(sweep.id, 'finished');
    return { sweepId: sweep.id, sweepName: sweep.name, runIds: runs.map((r) => r.id) };
  } finally {
    await store.close();
  }
}
