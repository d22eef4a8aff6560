/** Options of a refinement that runs only on input that passed every check so far, so one mistake
 * gives one error. */
export const afterChecks = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };
