import type { SimulationResult } from './simulate';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A self-contained SVG timeline like the CloudWatch graphs in the reference blog: backlog
 * (left axis), instances in service (right axis) and completions per period (bars) for each
 * policy, on one time axis. No scripts, no external assets.
 */
export function timelineSvg(title: string, results: readonly SimulationResult[], width = 960, height = 420): string {
  const pad = { left: 60, right: 60, top: 40, bottom: 70 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const tMax = Math.max(...results.flatMap((r) => r.timeline.map((p) => p.t)), 1);
  const backlogMax = Math.max(1, ...results.flatMap((r) => r.timeline.map((p) => p.backlog)));
  const instMax = Math.max(1, ...results.flatMap((r) => r.timeline.map((p) => p.runningInstances + p.startingInstances)));
  const x = (t: number) => pad.left + (t / tMax) * w;
  const yB = (v: number) => pad.top + h - (v / backlogMax) * h;
  const yI = (v: number) => pad.top + h - (v / instMax) * h;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/><text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top + h}" x2="${pad.left + w}" y2="${pad.top + h}" stroke="#333"/>`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + h}" stroke="#333"/><line x1="${pad.left + w}" y1="${pad.top}" x2="${pad.left + w}" y2="${pad.top + h}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const t = (tMax * i) / 4;
    parts.push(`<text x="${x(t)}" y="${pad.top + h + 16}" text-anchor="middle">${(t / 60).toFixed(0)} min</text>`);
    parts.push(`<text x="${pad.left - 6}" y="${yB((backlogMax * i) / 4) + 4}" text-anchor="end">${Math.round((backlogMax * i) / 4)}</text>`);
    parts.push(`<text x="${pad.left + w + 6}" y="${yI((instMax * i) / 4) + 4}">${((instMax * i) / 4).toFixed(1).replace(/\.0$/, '')}</text>`);
  }
  parts.push(`<text x="16" y="${pad.top + h / 2}" transform="rotate(-90 16 ${pad.top + h / 2})" text-anchor="middle">backlog (requests, solid)</text>`);
  parts.push(`<text x="${width - 14}" y="${pad.top + h / 2}" transform="rotate(90 ${width - 14} ${pad.top + h / 2})" text-anchor="middle">instances (dashed)</text>`);
  // Drawn last-to-first so the first policy (the synthesized one) lies on top where lines overlap.
  [...results.entries()].reverse().forEach(([i, r]) => {
    const color = COLORS[i % COLORS.length];
    const stroke = i === 0 ? 3 : 2;
    const backlog = r.timeline.map((p) => `${x(p.t).toFixed(1)},${yB(p.backlog).toFixed(1)}`).join(' ');
    const inst = r.timeline.map((p, k) => {
      const prev = k === 0 ? p : r.timeline[k - 1];
      return `${x(prev.t).toFixed(1)},${yI(p.runningInstances).toFixed(1)} ${x(p.t).toFixed(1)},${yI(p.runningInstances).toFixed(1)}`;
    }).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${stroke}" points="${backlog}"/>`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${stroke}" stroke-dasharray="6 4" points="${inst}"/>`);
    const completionsMax = Math.max(1, ...r.timeline.map((p) => p.completions));
    for (const p of r.timeline) {
      if (p.completions === 0) continue;
      const barH = (p.completions / completionsMax) * (h / 6);
      parts.push(`<rect x="${(x(p.t) - 1).toFixed(1)}" y="${(pad.top + h - barH).toFixed(1)}" width="2" height="${barH.toFixed(1)}" fill="${color}" opacity="0.35"/>`);
    }
    parts.push(`<rect x="${pad.left + i * 300}" y="${height - 28}" width="14" height="4" fill="${color}"/><text x="${pad.left + i * 300 + 20}" y="${height - 22}">${esc(r.policy.name)}</text>`);
  });
  parts.push(`<text x="${pad.left}" y="${height - 6}" fill="#555">bars: completions per minute (scaled per policy)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** A self-contained HTML page: the table and the chart. */
export function reportHtml(title: string, tableMarkdown: string, svg: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif">
<h1>${esc(title)}</h1><pre>${esc(tableMarkdown)}</pre>${svg}</body></html>\n`;
}
