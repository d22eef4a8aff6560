// npx nx run playground:bench — training steps per second in headless Chromium for the reference
// network (MLP 2-128-128-2 softplus, batch 128, Adam) on each engine, for dsm, ssm-vr and sm: the
// median of perf/steps_per_sec (logged every 100 steps, the first window dropped as warm-up) of a
// 1500-step run on the page, live views on. Prints a Markdown table and the CPU.
import { execSync } from 'node:child_process';
import { openPlayground, setControls, startSession } from './chromium';

const LOSSES = ['dsm', 'ssm-vr', 'sm'] as const;
const ENGINES = ['fused', 'tfjs'] as const;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const cpu = execSync("lscpu | grep 'Model name' || true").toString().trim();
const session = await startSession();
const rows: string[] = [];
try {
  for (const engine of ENGINES) {
    for (const loss of LOSSES) {
      const { page, errors } = await openPlayground(session);
      // conditioning none keeps the reference network 2-128-128-2; two noise levels (sigma 0.2, 0.1), little eval and sampling.
      await setControls(page, {
        dataset: '8gaussians',
        hidden: '128, 128',
        activation: 'softplus',
        conditioning: 'none',
        engine,
        loss,
        levels: '2',
        sigmaMax: '0.2',
        sigmaMin: '0.1',
        batchSize: '128',
        steps: '1500',
        logEvery: '100',
        evalEvery: '1500',
        evalSamples: '200',
        sampler: 'langevin',
        samplerSteps: '1',
        samples: '50',
      });
      await page.click('#start');
      await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 300_000 });
      const status = await page.locator('#status').innerText();
      if (!status.startsWith('done')) throw new Error(`${engine} ${loss}: ${status}`);
      const series: [number, number][] = await page.evaluate(() => (window as any).playground.series('perf/steps_per_sec'));
      const rates = series.slice(1).map(([, v]) => v);
      const m = median(rates);
      rows.push(`| 2-128-128-2, batch 128 | ${loss.padEnd(6)} | ${engine.padEnd(5)} | ${m.toFixed(0).padStart(7)} | ${(1000 / m).toFixed(2).padStart(5)} |`);
      console.error(`${engine} ${loss}: ${m.toFixed(0)} steps/s (${rates.map((r) => r.toFixed(0)).join(' ')})${errors.length ? ` errors: ${errors.join('; ')}` : ''}`);
      await page.close();
    }
  }
} finally {
  await session.close();
}
console.log(`${cpu}\n\n| network | loss | engine | steps/s | ms/step |\n| --- | --- | --- | ---: | ---: |\n${rows.join('\n')}`);
