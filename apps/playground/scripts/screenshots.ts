// npx tsx apps/playground/scripts/screenshots.ts — the pictures of docs/playground.md: a dsm run on
// rings and an ml (contrastive divergence) run of an energy model on 8gaussians, in headless Chromium.
import { fileURLToPath } from 'node:url';
import { openPlayground, runToEnd, setControls, startSession } from './chromium';

const IMG = fileURLToPath(new URL('../../../docs/img/', import.meta.url));
const ALL: { file: string; controls: Record<string, string> }[] = [
  { file: 'playground-dsm-rings.png', controls: { dataset: 'rings', loss: 'dsm', steps: '3000', levels: '10', sampler: 'ald', stepSize: '0.002', samplerSteps: '50', samples: '1000' } },
  {
    file: 'playground-ml-8gaussians.png',
    controls: { dataset: '8gaussians', model: 'energy', loss: 'ml', steps: '1500', lr: '0.001', sampler: 'langevin', stepSize: '0.01', samplerSteps: '300', samples: '1000', evalEvery: '250' },
  },
];

// Names on the command line pick some of the pictures (default: all).
const RUNS = process.argv.length > 2 ? ALL.filter((r) => process.argv.slice(2).some((a) => r.file.includes(a))) : ALL;
const session = await startSession();
try {
  for (const r of RUNS) {
    const { page, errors } = await openPlayground(session);
    await setControls(page, r.controls);
    const status = await runToEnd(page, 600_000);
    console.log(`${r.file}: ${status}${errors.length ? ` (errors: ${errors.join('; ')})` : ''}`);
    await page.locator('#animate').click();
    await page.screenshot({ path: IMG + r.file, fullPage: true });
    await page.close();
  }
} finally {
  await session.close();
}
