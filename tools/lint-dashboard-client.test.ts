/**
 * The dashboard's browser client (apps/dashboard/client) imports its own modules, @scorelab/config
 * and chart.js only (DESIGN.md section 1: browser code is bundled; the dashboard never loads tfjs).
 * These probes lint source text as if it were a client file and expect the rule to fire, or not.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function messages(filePath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

describe('dashboard client imports', () => {
  const forbidden: [string, string][] = [
    ['apps/dashboard/client/probe.ts', "import { openStore } from '@scorelab/tracking';\nexport const f = openStore;\n"],
    ['apps/dashboard/client/probe.ts', "import type { RunSummary } from '@scorelab/tracking';\nexport type F = RunSummary;\n"],
    ['apps/dashboard/client/probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
    ['apps/dashboard/client/probe.ts', "import { join } from 'path';\nexport const f = join;\n"],
    ['apps/dashboard/client/sweep/probe.ts', "import express from 'express';\nexport const f = express;\n"],
    ['apps/dashboard/client/run/probe.ts', "import * as tf from '@tensorflow/tfjs';\nexport const f = tf;\n"],
    ['apps/dashboard/client/probe.ts', "import { z } from 'zod';\nexport const f = z;\n"],
    ['apps/dashboard/client/sweep/probe.ts', "import { createApp } from '../../src/app';\nexport const f = createApp;\n"],
    ['apps/dashboard/client/probe.ts', "import type { Heatmap } from '../src/analysis';\nexport type F = Heatmap;\n"],
  ];
  for (const [file, code] of forbidden) {
    it(`${file}: ${code.split('\n')[0]} -> no-restricted-imports`, async () => {
      const found = await messages(file, code);
      expect(found.map((m) => m.ruleId)).toContain('no-restricted-imports');
      expect(found.find((m) => m.ruleId === 'no-restricted-imports')!.message).toMatch(/dashboard client may import/);
    });
  }

  const allowed: [string, string][] = [
    [
      'apps/dashboard/client/probe.ts',
      "import { METRIC, parameterValueLabel } from '@scorelab/config';\nimport type { Grid } from '@scorelab/config';\nimport type { Chart } from 'chart.js';\nimport { h } from './dom';\nexport const f = [METRIC, parameterValueLabel, h];\nexport type F = [Grid, Chart];\n",
    ],
    ['apps/dashboard/client/sweep/probe.ts', "import { fmt } from '../format';\nimport type { SweepPage } from './context';\nexport const f = fmt;\nexport type F = SweepPage;\n"],
    // The rule is the client's: the server side of the dashboard still uses express and the store.
    ['apps/dashboard/src/probe.ts', "import express from 'express';\nimport { openStore } from '@scorelab/tracking';\nexport const f = [express, openStore];\n"],
  ];
  for (const [file, code] of allowed) {
    it(`${file}: ${code.split('\n')[0]} -> allowed`, async () => {
      expect(await messages(file, code)).toEqual([]);
    });
  }
});
