import { passesFor } from '../planner/inputs';
import longDocuments from '../scenarios/assumptions/long-documents.json';

/**
 * How long the endpoint will work on a document, estimated as the planner estimates it: tokens
 * from words, the model handler's windows and reduce passes (planner/inputs.ts `passesFor`), and
 * the planner's seconds per window (scenarios/assumptions/long-documents.json). Used to warn
 * before a document is sent that it cannot finish within the invocation timeout.
 */
export const TOKENS_PER_WORD = 1.3; // ⚠ a typical SentencePiece ratio for English, not measured (README, "Long documents")

const model = longDocuments.serviceFromTokens;

export interface Estimate {
  readonly tokens: number;
  readonly seconds: number;
}

export function estimateProcessing(text: string): Estimate {
  const words = text.split(/\s+/).filter(Boolean).length;
  const tokens = Math.ceil(words * TOKENS_PER_WORD);
  return { tokens, seconds: passesFor(tokens, model.windowTokens, model.overlapTokens, model.summaryTokens) * model.secondsPerWindow };
}

/** Why a document would outlive the invocation timeout, or undefined when it fits. */
export function timeoutProblem(estimate: Estimate | undefined, invocationTimeoutSeconds: number): string | undefined {
  if (estimate === undefined || estimate.seconds <= invocationTimeoutSeconds) return undefined;
  const raise = invocationTimeoutSeconds < 3600 ? 'raise invocationTimeoutSeconds (at most 3600) or split the document' : 'split the document';
  return `about ${estimate.tokens.toLocaleString('en-US')} tokens, about ${Math.round(estimate.seconds)} s of GPU time at the planner's assumptions (⚠ ${model.secondsPerWindow} s per ${model.windowTokens}-token window), over the invocation timeout of ${invocationTimeoutSeconds} s: ${raise}`;
}
