// What the run page's views share: the run id, the loaded data, their sections and view state.
import type { RunPage } from '../../src/api-types';

export interface RunSections {
  header: HTMLElement;
  error: HTMLElement;
  metrics: HTMLElement;
  samples: HTMLElement;
  curves: HTMLElement;
  config: HTMLElement;
  events: HTMLElement;
}

export interface RunView {
  /** The run id as it appears in the URL. */
  readonly runId: string;
  readonly sections: RunSections;
  /** The last loaded /api/runs/:run (the views run after the first load). */
  readonly data: RunPage;
  /** Names and times of the drawn artifacts: they are drawn again only when these change. */
  artifactsStamp: string | null;
  /** The run the config is compared with ('' = none). */
  diffWith: string;
  /** The key of the "other metric" curve. */
  extraCurve: string | null;
}
