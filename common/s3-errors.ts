/** True for S3's "no such object" answers (HeadObject gives NotFound, GetObject NoSuchKey, both 404). */
export const isNotFound = (e: unknown): boolean =>
  ['NotFound', 'NoSuchKey'].includes((e as Error).name) || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
