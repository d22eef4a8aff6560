/**
 * The dashboard's browser client (apps/dashboard/client) imports its own modules, @scorelab/config
 * and chart.js only (DESIGN.md section 1: browser code is bundled; the dashboard never loads tfjs),
 * and of the server the API's types: `import type` from apps/dashboard/src/api-types.ts, which the
 * routes type their answers with. These probes lint source text as if it were a client file and
 * expect the rule to fire, or not; the last test checks that the shared module holds types only.
 */
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import ts from 'typescript';
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
    // The shared API types: `import type` only, and nothing else of src/.
    ['apps/dashboard/client/probe.ts', "import { SweepList } from '../src/api-types';\nexport type F = SweepList;\n"],
    ['apps/dashboard/client/run/probe.ts', "import { ablation } from '../../src/analysis';\nexport const f = ablation;\n"],
    ['apps/dashboard/client/run/probe.ts', "import type { RouteContext } from '../../src/routes/shared';\nexport type F = RouteContext;\n"],
    ['apps/dashboard/client/probe.ts', "import type { SweepList } from '../src/api-types.ts';\nexport type F = SweepList;\n"],
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
    ['apps/dashboard/client/probe.ts', "import type { JsonNumber, SweepList } from '../src/api-types';\nexport type F = [JsonNumber, SweepList];\n"],
    ['apps/dashboard/client/run/probe.ts', "import type { RunPage } from '../../src/api-types';\nexport type F = RunPage;\n"],
    // The rule is the client's: the server side of the dashboard still uses express and the store.
    ['apps/dashboard/src/probe.ts', "import express from 'express';\nimport { openStore } from '@scorelab/tracking';\nexport const f = [express, openStore];\n"],
  ];
  for (const [file, code] of allowed) {
    it(`${file}: ${code.split('\n')[0]} -> allowed`, async () => {
      expect(await messages(file, code)).toEqual([]);
    });
  }
});

describe('apps/dashboard/src/api-types.ts', () => {
  it('holds types only: type imports of @scorelab/tracking and @scorelab/config, interfaces and type aliases', () => {
    const path = new URL('../apps/dashboard/src/api-types.ts', import.meta.url);
    const source = ts.createSourceFile(path.pathname, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022);
    const wrong: string[] = [];
    for (const st of source.statements) {
      const from = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
      const ok =
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        (ts.isImportDeclaration(st) && !!st.importClause?.isTypeOnly && (from === '@scorelab/tracking' || from === '@scorelab/config')) ||
        (ts.isExportDeclaration(st) && st.isTypeOnly && (from === null || from === '@scorelab/tracking' || from === '@scorelab/config'));
      if (!ok) wrong.push(st.getText(source).split('\n')[0]);
    }
    expect(wrong).toEqual([]);
  });
});
