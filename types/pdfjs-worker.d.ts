/** pdfjs-dist ships no types for its worker module; we only register it (see common/extract/pdfjs.ts). */
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
