/**
 * pdf.js (pdfjs-dist 5) builds a `DOMMatrix` when its module loads and, in Node, tries to
 * polyfill `DOMMatrix`, `ImageData` and `Path2D` from the native @napi-rs/canvas, which neither
 * the Lambda bundle nor the CLI ships. Text extraction never renders, so inert stand-ins are
 * enough; they are installed only where the runtime has none. Imported before pdf.js.
 */
class InertDOMMatrix {
  a = 1;
  b = 0;
  c = 0;
  d = 1;
  e = 0;
  f = 0;
  multiplySelf(): this {
    return this;
  }
  preMultiplySelf(): this {
    return this;
  }
  translate(): this {
    return this;
  }
  scale(): this {
    return this;
  }
  invertSelf(): this {
    return this;
  }
}
class Inert {}

const g = globalThis as Record<string, unknown>;
if (g.DOMMatrix === undefined) g.DOMMatrix = InertDOMMatrix;
if (g.ImageData === undefined) g.ImageData = Inert;
if (g.Path2D === undefined) g.Path2D = Inert;

export {};
