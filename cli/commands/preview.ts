import * as path from 'path';
import { mapPool } from '../concurrency';
import { type PreparedDocument, prepareDocument, type Unmatched } from '../documents';
import { timeoutProblem } from '../estimate';
import type { ManifestEntry } from '../manifest';

/**
 * `submit --dry-run`, kept apart from the submission itself so that a dry run loads no AWS SDK
 * (cli/main.ts loads each command's modules when it runs).
 */

/** Documents estimated to outlive the invocation timeout: a warning, or with `strict` a refusal. */
export interface LengthCheck {
  readonly invocationTimeoutSeconds: number;
  readonly strict: boolean;
  readonly warn: (file: string, message: string) => void;
}

/** SageMaker's default invocation timeout, and this app's (invocationTimeoutSeconds). */
export const DEFAULT_LENGTH_CHECK: LengthCheck = { invocationTimeoutSeconds: 900, strict: false, warn: () => undefined };

export function checkLength(prepared: PreparedDocument, check: LengthCheck): PreparedDocument {
  const problem = prepared.ok ? timeoutProblem(prepared.estimate, check.invocationTimeoutSeconds) : undefined;
  if (problem === undefined) return prepared;
  if (check.strict) return { ok: false, file: prepared.file, reason: `too long for the endpoint: ${problem}` };
  check.warn(prepared.file, `${problem} (--strict refuses it)`);
  return prepared;
}

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
export async function previewDocuments(
  files: readonly string[],
  unmatched: readonly Unmatched[],
  parameters: Readonly<Record<string, unknown>>,
  concurrency: number,
  length: LengthCheck = DEFAULT_LENGTH_CHECK,
): Promise<ManifestEntry[]> {
  const entries = await mapPool(files, concurrency, async (file): Promise<ManifestEntry> => {
    const prepared = await checkLength(await prepareDocument(file, parameters), length);
    return prepared.ok ? { file, status: 'would-submit', ...described(prepared) } : { file, status: 'rejected', reason: prepared.reason };
  });
  return [...unmatchedEntries(unmatched), ...entries];
}
