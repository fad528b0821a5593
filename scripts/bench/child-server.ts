// Servers a bench talks to (an SMTP server, a DNS zone, an identity provider) run in a process of their
// own, as they do for our users: their work is then not timed as ours, and ours can overlap theirs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Starts scripts/bench/<script>, which prints one line once it serves (its address, port or JSON). */
export async function startChild(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ line: string; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', `scripts/bench/${script}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const exited = once(child, 'exit').then(() => {
    throw new Error(`${script} exited before it served`);
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  lines.close();
  return {
    line: line.trim(),
    close: async () => {
      process.off('exit', orphan);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
