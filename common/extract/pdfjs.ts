import './dom-stubs';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import * as worker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';

// pdf.js runs its parser in a "worker"; in Node without one it uses the module registered here
// (globalThis.pdfjsWorker), so the parser is bundled with us instead of loaded from a URL.
(globalThis as Record<string, unknown>).pdfjsWorker = worker;

export const { getDocument, VerbosityLevel } = pdfjs;
