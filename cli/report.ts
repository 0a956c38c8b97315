import Table from 'cli-table3';
import { displayName } from './commands/submit';
import { WaitResult } from './commands/wait';
import { Manifest } from './manifest';

const short = (text: string | undefined, max = 70) => (text === undefined ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The end-of-submit table: every file, what happened, and why when it did not go through. */
export function submitTable(manifest: Manifest): string {
  const table = new Table({ head: ['File', 'Status', 'Inference id', 'Detail'], style: { head: [], border: [] } });
  for (const e of manifest.entries) {
    table.push([short(displayName(e.file), 40), e.status, short(e.inferenceId, 16), short(e.reason ?? e.outputLocation ?? (manifest.mode === 'pipeline' ? 'submitted by the pipeline' : ''))]);
  }
  const counts = manifest.entries.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.status]: (acc[e.status] ?? 0) + 1 }), {});
  return `${table.toString()}\n${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`;
}

/** The end-of-wait table: summaries, failure reasons, and what is still pending. */
export function waitTable(results: readonly WaitResult[]): string {
  const table = new Table({ head: ['Request', 'Result', 'Summary / reason'], style: { head: [], border: [] }, wordWrap: true, colWidths: [32, 11, 80] });
  for (const { target, outcome } of results) {
    const detail =
      outcome.state === 'completed'
        ? `${short(outcome.summary ?? '(no summary_text in the response)', 200)}${outcome.coverage ? `\n[${outcome.coverage}]` : ''}${outcome.savedTo ? `\n→ ${outcome.savedTo}` : ''}`
        : outcome.state === 'failed'
          ? short(outcome.reason, 300)
          : `still in progress at the deadline${outcome.lastError ? ` (last error: ${outcome.lastError})` : ''}`;
    table.push([short(displayName(target.name), 30), outcome.state, detail]);
  }
  const counts = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome.state]: (acc[r.outcome.state] ?? 0) + 1 }), {});
  return `${table.toString()}\n${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`;
}
