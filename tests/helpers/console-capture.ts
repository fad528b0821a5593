// Records everything written through console.* while still printing it, so a test can search the log.
import { format } from 'node:util';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export function captureConsole(): { text: () => string; restore: () => void } {
  const lines: string[] = [];
  const originals = METHODS.map((m) => [m, console[m]] as const);
  for (const [m, original] of originals) {
    console[m] = (...args: unknown[]) => {
      lines.push(format(...args));
      original.apply(console, args);
    };
  }
  return {
    text: () => lines.join('\n'),
    restore: () => {
      for (const [m, original] of originals) console[m] = original;
    },
  };
}
