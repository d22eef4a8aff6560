/**
 * "No import cycles anywhere" (DESIGN.md section 1) is enforced by lint: import-x/no-cycle must
 * fire on two real modules that import each other inside a package's src (the rule follows
 * imports on disk, so lintText probes cannot show it) and stay quiet on a pair without a cycle.
 */
import { ESLint } from 'eslint';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE_DIR = join(ROOT, 'packages/config/src', `lint-cycle-probe-${process.pid}`);
const eslint = new ESLint({ cwd: ROOT });

afterAll(() => rmSync(PROBE_DIR, { recursive: true, force: true }));

/** Writes `files` (name -> source) into a fresh subdirectory of the probe dir; returns their paths. */
function writeModules(sub: string, files: Record<string, string>): string[] {
  const dir = join(PROBE_DIR, sub);
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, code]) => {
    const path = join(dir, name);
    writeFileSync(path, code);
    return path;
  });
}

async function ruleIds(paths: string[]): Promise<string[]> {
  const results = await eslint.lintFiles(paths);
  return results.flatMap((r) => r.messages.map((m) => m.ruleId ?? m.message));
}

describe('import cycles', () => {
  it('two modules that import each other -> import-x/no-cycle', async () => {
    const paths = writeModules('cyclic', {
      'a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { a } from './a';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n",
    });
    const ids = await ruleIds(paths);
    expect(ids.filter((id) => id === 'import-x/no-cycle')).toHaveLength(2);
    expect(ids.every((id) => id === 'import-x/no-cycle')).toBe(true);
  });

  it('a cycle through a third module is found too', async () => {
    const [first] = writeModules('cyclic3', {
      'a.ts': "import { b } from './b';\nexport const a = (): number => b();\n",
      'b.ts': "import { c } from './c';\nexport const b = (): number => c();\n",
      'c.ts': "import { a } from './a';\nexport const c = (): number => (Math.random() > 2 ? a() : 0);\n",
    });
    expect(await ruleIds([first])).toEqual(['import-x/no-cycle']);
  });

  it('one-way imports are allowed', async () => {
    const paths = writeModules('acyclic', {
      'a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { NAME_PATTERN } from '../../schema';\nexport const b = (): number => NAME_PATTERN.source.length;\n",
    });
    expect(await ruleIds(paths)).toEqual([]);
  });
});
