// The top of the run page: status and progress, swept values and seed, timings, backend and commit;
// the full error text of a failed or killed run; and at the bottom its history of status changes.
import { h } from '../dom';
import { fmtDuration, fmtTime } from '../format';
import { paramChips, setCrumbs, statusBadge } from '../ui';
import type { RunView } from './context';

export function renderHeader(view: RunView): void {
  const { run, sweep } = view.data;
  setCrumbs(sweep ? h('a', { href: `/sweeps/${sweep.id}` }, sweep.name) : h('span', {}, `sweep ${run.sweepId}`), h('span', {}, `run #${run.id}`));
  document.title = `Run #${run.id} · ${run.sweepName} · Scorelab`;
  const progress =
    run.status === 'running' && run.totalSteps
      ? h('span', {}, h('span', { class: 'progress' }, h('span', { style: { width: `${(100 * (run.currentStep ?? 0)) / run.totalSteps}%` } })), ` step ${run.currentStep ?? 0} / ${run.totalSteps}`)
      : null;
  view.sections.header.replaceChildren(
    h('h1', {}, `Run #${run.id}`, statusBadge(run.status), progress),
    h('p', { style: { margin: '2px 0 8px' } }, paramChips(run.params), h('span', { class: 'chip' }, 'seed = ', h('b', {}, String(run.seed)))),
    h(
      'p',
      { class: 'small muted', style: { margin: '0' } },
      `#${run.idx + 1} of sweep ${run.sweepName} · started ${fmtTime(run.startedAt)} · duration ${fmtDuration(run.durationMs)}`,
      run.backend ? ` · backend ${run.backend}` : '',
      run.gitCommit ? ` · commit ${run.gitCommit}` : '',
      run.host ? ` · ${run.host}` : '',
      run.attempt > 1 ? ` · attempt ${run.attempt}` : '',
      ` · config ${run.configHash}`,
    ),
    ...modelLine(view),
  );
  if ((run.status === 'failed' || run.status === 'killed') && run.error) {
    view.sections.error.replaceChildren(
      h(
        'div',
        { class: 'card errorbox', id: 'error-text' },
        h('b', {}, run.status === 'failed' ? `Failed${run.errorStep !== null ? ` at step ${run.errorStep}` : ''}` : 'Killed'),
        h('pre', {}, run.error),
      ),
    );
  } else view.sections.error.replaceChildren();
}

/** "model #M: trained by run #N (step S) · shared with runs #a, #b": which model the run sampled,
 * linking the run that trained it (and whose training curves the curves section shows). */
function modelLine(view: RunView): HTMLElement[] {
  const { run, model } = view.data;
  if (!model) return [];
  const own = model.sourceRunId === run.id;
  const others = model.sharedWith.filter((id) => id !== model.sourceRunId);
  const elsewhere = !own && model.sourceSweep && model.sourceSweep.id !== run.sweepId ? ` of sweep ${model.sourceSweep.name}` : '';
  return [
    h(
      'p',
      { class: 'small', id: 'model-line', style: { margin: '4px 0 0' } },
      `model #${model.id}: `,
      own ? 'trained by this run' : ['trained by ', h('a', { href: `/runs/${model.sourceRunId}`, id: 'model-source' }, `run #${model.sourceRunId}`), elsewhere],
      ` (step ${model.step})`,
      others.length ? [` — shared with run${others.length > 1 ? 's' : ''} `, others.map((id, i) => [i ? ', ' : '', h('a', { href: `/runs/${id}` }, `#${id}`)])] : '',
      own ? '' : h('span', { class: 'muted' }, ' · this run did not train: its training curves are those of the source run'),
    ),
  ];
}

export function renderHistory(view: RunView): void {
  const { run } = view.data;
  view.sections.events.replaceChildren(
    h('h2', {}, 'History'),
    h(
      'table',
      { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', {}, 'when'), h('th', {}, 'status'), h('th', {}, 'note'))),
      h(
        'tbody',
        {},
        run.events.map((e) => h('tr', {}, h('td', {}, new Date(e.at).toLocaleString()), h('td', {}, e.from ? `${e.from} → ${e.to}` : e.to), h('td', { class: 'muted', style: { whiteSpace: 'normal' } }, e.message ?? ''))),
      ),
    ),
  );
}
