/**
 * The dependency direction of DESIGN.md section 1 is enforced by lint: these probes lint source
 * text as if it were a file of the named package and expect the boundary rules to fire.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('module boundaries', () => {
  const cases: [string, string, string | null][] = [
    ['packages/samplers/src/probe.ts', "import { createLoss } from '@scorelab/losses';\nexport const f = createLoss;\n", '@nx/enforce-module-boundaries'],
    ['packages/losses/src/probe.ts', "import { langevin } from '@scorelab/samplers';\nexport const f = langevin;\n", '@nx/enforce-module-boundaries'],
    ['packages/core/src/probe.ts', "import { createDataset } from '@scorelab/datasets';\nexport const f = createDataset;\n", '@nx/enforce-module-boundaries'],
    ['packages/config/src/probe.ts', "import { Rng } from '@scorelab/core';\nexport const f = Rng;\n", '@nx/enforce-module-boundaries'],
    ['packages/tracking/src/probe.ts', "import { Rng } from '@scorelab/core';\nexport const f = Rng;\n", '@nx/enforce-module-boundaries'],
    ['packages/core/src/probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
    ['packages/metrics/src/probe.ts', "import Database from 'better-sqlite3';\nexport const f = Database;\n", 'no-restricted-imports'],
    ['apps/dashboard/src/probe.ts', "import * as tf from '@tensorflow/tfjs';\nexport const f = tf;\n", 'no-restricted-imports'],
    ['packages/datasets/src/probe.ts', "import { Rng } from '@scorelab/core';\nexport const f = Rng;\n", null],
    ['packages/losses/src/probe.ts', "import { METRIC } from '@scorelab/config';\nexport const f = METRIC;\n", 'no-restricted-imports'],
    ['packages/losses/src/probe.ts', "import type { LossSpec } from '@scorelab/config';\nexport type F = LossSpec;\n", null],
    ['packages/losses/src/probe.ts', "import { executeRun } from '@scorelab/pipeline';\nexport const f = executeRun;\n", '@nx/enforce-module-boundaries'],
    ['packages/pipeline/src/probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
    ['packages/pipeline/src/probe.ts', "import { openStore } from '@scorelab/tracking';\nexport const f = openStore;\n", '@nx/enforce-module-boundaries'],
    ['packages/pipeline/src/probe.ts', "import { createLoss } from '@scorelab/losses';\nimport { METRIC } from '@scorelab/config';\nexport const f = [createLoss, METRIC];\n", null],
    ['tools/probe.ts', "import { main } from '@scorelab/runner';\nexport const f = main;\n", '@nx/enforce-module-boundaries'],
    ['tools/probe.ts', "import { executeRun } from '@scorelab/pipeline';\nexport const f = executeRun;\n", null],
    ['packages/kernels/src/probe.ts', "import { Rng } from '@scorelab/core';\nexport const f = Rng;\n", '@nx/enforce-module-boundaries'],
    ['packages/kernels/src/probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
    ['packages/kernels/src/probe.ts', "import { METRIC } from '@scorelab/config';\nexport const f = METRIC;\n", 'no-restricted-imports'],
    ['packages/core/src/probe.ts', "import { FusedMlp } from '@scorelab/kernels';\nexport const f = FusedMlp;\n", null],
    ['packages/losses/src/probe.ts', "import { FusedMlp } from '@scorelab/kernels';\nexport const f = FusedMlp;\n", '@nx/enforce-module-boundaries'],
    ['apps/playground/src/probe.ts', "import { openStore } from '@scorelab/tracking';\nexport const f = openStore;\n", '@nx/enforce-module-boundaries'],
    ['apps/playground/src/probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
    ['apps/playground/src/probe.ts', "import { startServer } from '@scorelab/dashboard';\nexport const f = startServer;\n", '@nx/enforce-module-boundaries'],
    ['apps/playground/src/probe.ts', "import { executeRun } from '@scorelab/pipeline';\nimport { createSampler } from '@scorelab/samplers';\nimport { resolveRunConfig } from '@scorelab/config';\nexport const f = [executeRun, createSampler, resolveRunConfig];\n", null],
    ['apps/runner/src/probe.ts', "import { createLoss } from '@scorelab/losses';\nimport { langevin } from '@scorelab/samplers';\nexport const f = [createLoss, langevin];\n", null],
  ];
  for (const [file, code, rule] of cases) {
    it(`${file}: ${code.split('\n')[0]} -> ${rule ?? 'allowed'}`, async () => {
      const ids = await ruleIds(file, code);
      if (rule) expect(ids).toContain(rule);
      else expect(ids).toEqual([]);
    });
  }
});
