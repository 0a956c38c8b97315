import * as path from 'path';
import { mapPool } from '../concurrency';
import { prepareDocument, type Unmatched } from '../documents';
import type { ManifestEntry } from '../manifest';

/**
 * `submit --dry-run`, kept apart from the submission itself so that a dry run loads no AWS SDK
 * (cli/main.ts loads each command's modules when it runs).
 */

export const displayName = (file: string) => (path.isAbsolute(file) ? path.relative(process.cwd(), file) || file : file);

/** What a manifest entry says about the file itself. */
export const described = (p: { format?: string; pages?: number; characters?: number }) => ({
  ...(p.format ? { format: p.format } : {}),
  ...(p.pages !== undefined ? { pages: p.pages } : {}),
  ...(p.characters !== undefined ? { characters: p.characters } : {}),
});

export const unmatchedEntries = (unmatched: readonly Unmatched[]): ManifestEntry[] =>
  unmatched.map(({ input, reason }) => ({ file: input, status: 'rejected', reason }));

/**
 * `submit --dry-run`: what each file is, what would be extracted from it and why a file would be
 * refused, with no AWS call at all.
 */
export async function previewDocuments(files: readonly string[], unmatched: readonly Unmatched[], parameters: Readonly<Record<string, unknown>>, concurrency: number): Promise<ManifestEntry[]> {
  const entries = await mapPool(files, concurrency, async (file): Promise<ManifestEntry> => {
    const prepared = await prepareDocument(file, parameters);
    return prepared.ok ? { file, status: 'would-submit', ...described(prepared) } : { file, status: 'rejected', reason: prepared.reason };
  });
  return [...unmatchedEntries(unmatched), ...entries];
}
