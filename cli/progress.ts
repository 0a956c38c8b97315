import { SingleBar } from 'cli-progress';

/** A progress display; silent where nobody watches (CI logs, pipes, tests). */
export interface Progress {
  start(total: number, label: string): void;
  increment(): void;
  stop(): void;
}

export const silentProgress: Progress = { start: () => undefined, increment: () => undefined, stop: () => undefined };

/** A progress bar on standard error when it is a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  let bar: SingleBar | undefined;
  return {
    start(total, label) {
      bar = new SingleBar({ stream, format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted}`, hideCursor: true });
      bar.start(total, 0);
    },
    increment: () => bar?.increment(),
    stop: () => bar?.stop(),
  };
}
