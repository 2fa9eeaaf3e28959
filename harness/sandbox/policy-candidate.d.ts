/**
 * The candidate policy module that sim/sandbox-entry.ts imports. It exists only inside a sandbox
 * bundle: harness/sandbox/bundle.ts resolves it to the candidate's source (a virtual module).
 */
declare module 'policy:candidate' {
  const policy: unknown;
  export default policy;
}
