// The top of the sweep page: its header, then "Which did best?" — the best configuration in words,
// each parameter's values best first, the best single run and the failed runs.
import { parameterValueLabel } from '@scorelab/config';
import type { Floor, RunVerdict, Verdict } from '../../src/api-types';
import { bestRunTitle, floorShort, valueWithScatter } from '../best-run';
import { h } from '../dom';
import { directionWord, fmt, fmtTime, paramsShort } from '../format';
import { setCrumbs, statusBadge } from '../ui';
import { metricSelect, paramPaths, type SweepPage } from './context';

export function renderHeader(page: SweepPage): void {
  const { sweep, seeds, parameters } = page.summary;
  const swept = parameters.filter((p) => p.swept).map((p) => p.path);
  const unswept = parameters.filter((p) => !p.swept).map((p) => p.path);
  setCrumbs(h('span', {}, sweep.name));
  document.title = `${sweep.name} · Scorelab`;
  const c = sweep.counts;
  page.sections.header.replaceChildren(
    h('h1', {}, sweep.name, statusBadge(sweep.status)),
    ...(sweep.description ? [h('p', { class: 'muted', style: { margin: '0 0 4px' } }, sweep.description)] : []),
    h(
      'p',
      { class: 'small muted', style: { margin: '0' } },
      `Created ${fmtTime(sweep.createdAt)}`,
      sweep.filePath ? ` from ${sweep.filePath}` : '',
      ` · ${c.total} runs (${(['finished', 'failed', 'killed', 'running', 'queued'] as const).filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`).join(', ') || 'none'})`,
      ` · swept: ${swept.join(', ') || 'nothing'} · seeds ${seeds.join(', ')}`,
    ),
    ...(unswept.length > 0
      ? [
          h(
            'p',
            { class: 'notice small', id: 'unswept-note', style: { margin: '8px 0 0' } },
            h('b', {}, unswept.join(', ')),
            ` ${unswept.length === 1 ? 'differs' : 'differ'} between runs with the same swept values (the experiment file was changed before a --resume), so ${unswept.length === 1 ? 'it is' : 'they are'} shown as ${unswept.length === 1 ? 'a parameter' : 'parameters'} below: those runs are never averaged as one configuration.`,
          ),
        ]
      : []),
  );
}

export function renderSummary(page: SweepPage): void {
  const s = page.summary;
  const section = page.sections.summary;
  const keys = s.metricKeys.filter((k) => s.directions[k] !== 'none');
  if (!s.metric) {
    section.replaceChildren(h('h2', {}, 'Best run'), h('p', { class: 'muted' }, 'No metrics logged yet.'));
    return;
  }
  const metric = s.metric;
  const dir = directionWord(s.directions[metric]);
  const lines: HTMLElement[] = [];
  const cfg = s.bestConfiguration;
  const verdict = s.verdict;
  // A best that nothing separates from the others or from the floor is not crowned.
  const crowned = !verdict || verdict.distinguishable;
  if (cfg) {
    lines.push(
      h(
        'p',
        { class: 'headline', id: 'best-line' },
        crowned ? '★ Best configuration: ' : 'No clear best. Lowest mean: ',
        h('b', {}, Object.entries(cfg.params).map(([k, v]) => `${k} = ${parameterValueLabel(v)}`).join(', ') || 'the only one'),
        ` — ${metric} `,
        h('b', {}, fmt(cfg.mean)),
        cfg.n > 1 ? ` (mean of ${cfg.n} seeds, range ${fmt(cfg.min)}–${fmt(cfg.max)})` : '',
        h('span', { class: 'muted' }, ` · ${dir}`),
      ),
    );
    if (verdict) lines.push(verdictLine(verdict, 'best-verdict'));
    if (verdict && verdict.ranking.length > 1) {
      lines.push(
        h(
          'p',
          { class: 'small', id: 'best-ranking' },
          h('span', { class: 'muted' }, 'Ranking (≈ = not distinguishable from the first; "data" = indistinguishable from data): '),
          verdict.ranking.map((c, i) => [
            i > 0 ? ' · ' : '',
            h('span', { class: c.tied ? 'tied' : 'muted' }, `${c.tied ? '≈ ' : ''}${c.label || 'the only one'} ${fmt(c.mean)}${c.n > 1 ? ` [${fmt(c.min)}–${fmt(c.max)}]` : ''}${c.fromData ? ' (data)' : ''}`),
          ]),
        ),
      );
    }
  } else {
    lines.push(h('p', { class: 'headline', id: 'best-line' }, `No finished run has a finite ${metric} yet.`));
  }
  if (s.floor) lines.push(floorLine(s.floor, 'best-floor'));
  const perParam = s.marginals.filter((m) => m.best !== null && m.values.length > 1);
  if (perParam.length > 0) {
    // Values of each parameter, best first: "which objective did best, which step size did best".
    const higher = s.directions[metric] === 'higher';
    const better = (a: { mean: number }, b: { mean: number }) => (higher ? b.mean - a.mean : a.mean - b.mean);
    lines.push(
      h('p', { class: 'small muted', style: { marginBottom: '0' } }, `Each parameter on its own (${metric} averaged over the other parameters and the seeds):`),
      h(
        'table',
        { class: 'marginals', id: 'best-per-param' },
        h(
          'tbody',
          {},
          perParam.map((m) =>
            h(
              'tr',
              {},
              h('td', { class: 'path' }, m.path),
              m.values
                .filter((v): v is typeof v & { mean: number } => v.mean !== null)
                .sort(better)
                .map((v) => {
                  const clear = !m.verdict || m.verdict.distinguishable;
                  const tied = !clear && m.verdict?.ranking.some((c) => c.key === v.key && c.tied);
                  const mark = v.key === m.best ? (clear ? '★ ' : '≈ ') : tied ? '≈ ' : '';
                  return h('td', { class: v.key === m.best ? 'win' : '' }, `${mark}${v.label}  `, h('span', { class: v.key === m.best || tied ? '' : 'muted' }, fmt(v.mean)));
                }),
              m.verdict && !m.verdict.distinguishable ? h('td', { class: 'small muted' }, '(not distinguishable)') : null,
            ),
          ),
        ),
      ),
    );
  }
  if (s.best) {
    // The same rules as the configuration: one value per run, so the floor's scatter decides.
    const best = s.best;
    lines.push(
      h(
        'p',
        { id: 'best-run' },
        `${bestRunTitle(best)}: `,
        h('a', { href: `/runs/${best.runId}` }, `run #${best.runId}`),
        ` (${paramsShort(best.params, paramPaths(page))}, seed ${best.seed}): `,
        valueWithScatter(best.value, s.floor),
        s.floor ? h('span', { class: 'muted small' }, ` · ${floorShort(s.floor)}`) : '',
      ),
    );
    if (best.verdict && best.verdict.runs > 1) lines.push(verdictLine(best.verdict, 'best-run-verdict'));
  }
  if (s.failedRuns.length > 0) {
    lines.push(
      h(
        'p',
        { class: 'fail' },
        `${s.failedRuns.length} run${s.failedRuns.length > 1 ? 's' : ''} failed: `,
        s.failedRuns.slice(0, 5).map((r, i) => [i > 0 ? '; ' : '', h('a', { href: `/runs/${r.id}` }, `#${r.id}`), ` (${paramsShort(r.params, paramPaths(page))}, seed ${r.seed}) ${r.error ?? ''}`]),
        s.failedRuns.length > 5 ? ` … and ${s.failedRuns.length - 5} more` : '',
      ),
    );
  }
  section.replaceChildren(
    h(
      'div',
      { class: 'controls', style: { marginTop: '0' } },
      h('h2', { style: { margin: '0' } }, 'Which did best?'),
      h(
        'label',
        {},
        'judged by',
        metricSelect('metric', metric, keys, (v) => {
          page.state.metric = v;
          history.replaceState(null, '', `?metric=${encodeURIComponent(v)}`);
          void page.refresh();
        }),
      ),
      h('span', { class: 'muted small' }, `final values of finished runs; ${dir}`),
    ),
    ...lines,
  );
}

/** The verdict under a "best": distinguishable or not, and why. */
export function verdictLine(v: Pick<Verdict | RunVerdict, 'distinguishable' | 'reason' | 'fromData'>, id: string): HTMLElement {
  return h(
    'p',
    { class: v.distinguishable ? 'small muted' : 'notice small', id, style: { margin: '4px 0' } },
    v.distinguishable ? '' : h('b', {}, 'Not distinguishable. '),
    v.reason.replace(/^not distinguishable: /, ''),
    v.distinguishable && v.fromData === false ? ' · distinguishable from data (sample/mmd_p < 0.05)' : '',
  );
}

/** The noise floor of a sample metric in words. */
export function floorText(f: Floor): string {
  const spread = f.scatter !== null ? ` ± ${fmt(f.scatter)}` : ` (one reference draw${f.n > 1 ? `, shared by all ${f.n} runs of its seed` : ''}: its scatter is unknown)`;
  return `floor ${f.key}: ${fmt(f.mean)}${spread} (true data samples of the same size; values up to ${fmt(f.upper)} are indistinguishable from data)`;
}

export function floorLine(f: Floor, id: string): HTMLElement {
  return h('p', { class: 'small muted', id, style: { margin: '4px 0' } }, floorText(f));
}
