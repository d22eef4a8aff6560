import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash, expandSweep, isTrainingKey, parseExperiment, resolveRunConfig, sha256Hex, trainingHash } from './index';

const nodeSha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto on every padding boundary, on unicode and on long input', () => {
    for (let n = 0; n <= 200; n++) {
      const s = 'x'.repeat(n);
      expect(sha256Hex(s)).toBe(nodeSha256(s));
    }
    for (const s of ['σ → ∞', '日本語テキスト', '😀'.repeat(40), JSON.stringify({ a: [1, 2, 3] }).repeat(3000)]) expect(sha256Hex(s)).toBe(nodeSha256(s));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([undefined, null, true, -0])).toBe('[null,null,true,0]');
    expect(() => canonicalJson({ a: NaN })).toThrow('not a JSON number');
    expect(() => canonicalJson({ a: () => 1 })).toThrow('cannot encode a function');
  });
});

/** The path of every leaf (scalar) of a JSON value. */
function leavesOf(value: unknown): (string | number)[][] {
  const leaves: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    else leaves.push(path);
  };
  walk(value, []);
  return leaves;
}

const RUN = {
  dataset: { kind: 'mog2d-weighted' },
  model: { kind: 'mlp', hidden: [16] },
  noise: { schedule: 'geometric', sigmaMax: 20, sigmaMin: 1, levels: 3 },
  loss: { kind: 'dsm' },
  train: { steps: 50 },
  sampler: { kind: 'ald', stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: 'uniform', low: -8, high: 8 } },
  eval: { every: 25, metrics: ['fisher', 'mmd'] },
};

describe('configHash', () => {
  it('is 16 hex digits of SHA-256 of canonical JSON of config and seed', () => {
    const config = resolveRunConfig(RUN);
    expect(configHash(config, 3)).toBe(nodeSha256(canonicalJson({ config, seed: 3 })).slice(0, 16));
    // Pinned: stores compare hashes across versions (resume, dedupe), so a change here must be deliberate.
    expect(configHash(config, 0)).toBe('bd861246f8dda1fb');
  });

  it('does not depend on key order, layout, number spelling or defaults written out', () => {
    const a = `name: a
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: uniform, low: -8, high: 8 } }
  eval: { every: 25, metrics: [fisher, mmd] }
parameters:
  loss.kind: [dsm, ssm-vr]
seeds: [0, 1]
`;
    const b = `seeds: [0, 1]
parameters:
  loss.kind: [dsm, ssm-vr]
name: b
base:
  eval:
    metrics: [fisher, mmd]
    every: 25
    samples: 1000
  sampler:
    init: { high: 8.0, low: -8, kind: uniform }
    samples: 200
    stepsPerLevel: 10
    stepSize: 1e-1
    kind: ald
    convention: half
    denoise: false
  train: { lr: 0.001, steps: 50, optimizer: adam, batchSize: 128, logEvery: 50 }
  loss: { weighting: sigma2, kind: dsm, projections: 1 }
  noise: { levels: 3, sigmaMin: 1, sigmaMax: 20, schedule: geometric }
  model: { conditioning: embed, hidden: [16], activation: softplus, kind: mlp }
  dataset: { kind: mog2d-weighted }
`;
    const ha = expandSweep(parseExperiment(a, 'a.yaml')).map((r) => r.hash);
    const hb = expandSweep(parseExperiment(b, 'b.yaml')).map((r) => r.hash);
    expect(ha).toHaveLength(4);
    expect(new Set(ha).size).toBe(4);
    expect(hb).toEqual(ha);
  });

  it('changes when any value of the resolved config or the seed changes', () => {
    const config = resolveRunConfig(RUN);
    const leaves = leavesOf(config);
    expect(leaves.length).toBeGreaterThan(30);
    const hashes = new Set([configHash(config, 0), configHash(config, 1)]);
    for (const path of leaves) {
      const changed = structuredClone(config) as any;
      let parent = changed;
      for (const seg of path.slice(0, -1)) parent = parent[seg];
      const last = path[path.length - 1];
      const v = parent[last];
      parent[last] = typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : `${v}x`;
      hashes.add(configHash(changed, 0));
    }
    expect(hashes.size).toBe(leaves.length + 2);
  });
});

describe('trainingHash', () => {
  const changedAt = (config: unknown, path: (string | number)[]) => {
    const changed = structuredClone(config) as any;
    let parent = changed;
    for (const seg of path.slice(0, -1)) parent = parent[seg];
    const last = path[path.length - 1];
    const v = parent[last];
    parent[last] = typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : `${v}x`;
    return changed;
  };

  it('changes with every training value and the seed, and with nothing in sampler or eval', () => {
    const config = resolveRunConfig({ ...RUN, model: { ...RUN.model, engine: 'tfjs' }, train: { steps: 50, checkpointEvery: 10, keepCheckpoints: 2 } });
    const base = trainingHash(config, 0);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(trainingHash(config, 1)).not.toBe(base);
    let training = 0;
    for (const path of leavesOf(config)) {
      const dotted = path.join('.');
      const h = trainingHash(changedAt(config, path), 0);
      if (isTrainingKey(dotted)) {
        training++;
        expect(h, dotted).not.toBe(base);
      } else {
        expect(h, dotted).toBe(base);
      }
    }
    expect(training).toBeGreaterThan(15);
  });

  it('ignores model.engine and the checkpoint keys, which do not change the weights', () => {
    const a = resolveRunConfig(RUN);
    const b = resolveRunConfig({ ...RUN, model: { ...RUN.model, engine: 'fused' }, train: { steps: 50, checkpointEvery: 5, keepCheckpoints: 0 } });
    expect(trainingHash(b, 4)).toBe(trainingHash(a, 4));
    expect(configHash(b, 4)).not.toBe(configHash(a, 4));
    for (const key of ['model.engine', 'train.checkpointEvery', 'train.keepCheckpoints', 'sampler.stepSize', 'eval.every', 'sde.eps']) expect(isTrainingKey(key), key).toBe(false);
    for (const key of ['train.lr', 'loss.kind', 'model.hidden', 'model', 'noise.sigmaMax', 'sde.kind', 'sde.trainEps', 'dataset.kind']) expect(isTrainingKey(key), key).toBe(true);
    // The sde's sampling eps does not change the trained model; its training eps does.
    const { noise: _noise, ...withoutNoise } = RUN;
    const sdeRun = { ...withoutNoise, sde: { kind: 'vp' }, sampler: { kind: 'pc', steps: 10, samples: 20 } };
    const vp = trainingHash(resolveRunConfig(sdeRun), 0);
    expect(trainingHash(resolveRunConfig({ ...sdeRun, sde: { kind: 'vp', eps: 0.01 } }), 0)).toBe(vp);
    expect(trainingHash(resolveRunConfig({ ...sdeRun, sde: { kind: 'vp', trainEps: 1e-4 } }), 0)).not.toBe(vp);
  });

  it('is shared by the runs of a sweep over sampler settings and given to each run by expansion', () => {
    const runs = expandSweep(
      parseExperiment(
        `name: s
base:
  dataset: { kind: mog2d-weighted }
  model: { kind: mlp, hidden: [16] }
  noise: { schedule: geometric, sigmaMax: 20, sigmaMin: 1, levels: 3 }
  loss: { kind: dsm }
  train: { steps: 50 }
  sampler: { kind: ald, stepSize: 0.1, stepsPerLevel: 10, samples: 200, init: { kind: uniform, low: -8, high: 8 } }
parameters:
  loss.kind: [dsm, ssm-vr]
  sampler.stepSize: [0.1, 0.05]
seeds: [0]
`,
        's.yaml',
      ),
    );
    expect(runs.map((r) => r.trainingHash)).toEqual(runs.map((r) => trainingHash(r.config, r.seed)));
    expect(new Set(runs.map((r) => r.hash)).size).toBe(4);
    expect(new Set(runs.map((r) => r.trainingHash)).size).toBe(2);
    expect(runs[0].trainingHash).toBe(runs[1].trainingHash);
  });
});
