/**
 * Named crash points for crash-safety tests: with DEMO_VM_CRASH_AT=<name> (a test-only variable) the
 * process kills itself with SIGKILL when it reaches that point, as a power cut would.
 */
let armed: Set<string> = new Set();

export function armCrashPoints(spec: string | undefined): void {
  armed = new Set(
    (spec ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function crashPoint(name: string): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
