import Table from 'cli-table3';
import { displayName } from './commands/preview';
import type { WaitResult } from './commands/wait';
import type { Manifest, ManifestEntry } from './manifest';

const short = (text: string | undefined, max = 70) => (text === undefined ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** A path cut at its start, so the file name stays readable. */
const shortPath = (file: string, max = 40) => {
  const shown = displayName(file);
  return shown.length > max ? `…${shown.slice(shown.length - max + 1)}` : shown;
};

/** "pdf, 12 pages, 48,210 characters": what a file is and what was extracted from it. */
export function extractedLine(e: Pick<ManifestEntry, 'format' | 'pages' | 'characters'>): string {
  if (!e.format) return '';
  const pages = e.pages !== undefined ? `, ${e.pages} page${e.pages === 1 ? '' : 's'}` : '';
  const characters = e.characters !== undefined ? `, ${e.characters.toLocaleString('en-US')} characters` : '';
  return `${e.format}${pages}${characters}`;
}

const counted = (entries: readonly ManifestEntry[]) =>
  Object.entries(entries.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.status]: (acc[e.status] ?? 0) + 1 }), {}))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');

/** The end-of-submit table: every file, what was extracted, what happened, and why when it did not go through. */
export function submitTable(manifest: Manifest): string {
  const table = new Table({ head: ['File', 'Extracted', 'Status', 'Inference id', 'Detail'], style: { head: [], border: [] } });
  for (const e of manifest.entries) {
    table.push([shortPath(e.file), extractedLine(e), e.status, short(e.inferenceId, 16), short(e.reason ?? e.outputLocation ?? (manifest.mode === 'pipeline' ? 'submitted by the pipeline' : ''))]);
  }
  return `${table.toString()}\n${counted(manifest.entries)}\n`;
}

/** `submit --dry-run`: what would be sent, and what would be refused and why. */
export function previewTable(entries: readonly ManifestEntry[]): string {
  // Reasons are wrapped, never cut: a refusal names the limit and what to do, at its end.
  const table = new Table({ head: ['File', 'Extracted', 'Would', 'Reason'], style: { head: [], border: [] }, wordWrap: true, colWidths: [32, 30, 12, 60] });
  for (const e of entries) table.push([shortPath(e.file, 30), extractedLine(e), e.status === 'would-submit' ? 'submit' : 'be refused', e.reason ?? '']);
  return `${table.toString()}\n${counted(entries)} (dry run: nothing was uploaded or submitted)\n`;
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
    table.push([shortPath(target.name, 30), outcome.state, detail]);
  }
  const counts = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome.state]: (acc[r.outcome.state] ?? 0) + 1 }), {});
  return `${table.toString()}\n${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`;
}
