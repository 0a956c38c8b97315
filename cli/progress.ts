import { SingleBar } from 'cli-progress';

/** A progress display; silent where nobody watches (CI logs, pipes, tests). */
export interface Progress {
  /** `unit` "bytes" shows megabytes. */
  start(total: number, label: string, unit?: 'items' | 'bytes'): void;
  increment(step?: number): void;
  stop(): void;
}

export const silentProgress: Progress = { start: () => undefined, increment: () => undefined, stop: () => undefined };

/** A progress bar on standard error when it is a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  let bar: SingleBar | undefined;
  return {
    start(total, label, unit = 'items') {
      const bytes = unit === 'bytes';
      bar = new SingleBar({
        stream,
        format: `${label} [{bar}] {value}/{total}${bytes ? ' MB' : ''} {percentage}% | {duration_formatted}${bytes ? ' | ETA {eta_formatted}' : ''}`,
        hideCursor: true,
        formatValue: (v, _options, type) => (bytes && (type === 'value' || type === 'total') ? (v / 1e6).toFixed(0) : String(v)),
      });
      bar.start(total, 0);
    },
    increment: (step = 1) => bar?.increment(step),
    stop: () => bar?.stop(),
  };
}
