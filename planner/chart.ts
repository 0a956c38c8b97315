import { maxOf } from '../common/statistics';
import type { PolicyReport } from './report';
import type { SimulationResult, TimelinePoint } from './simulate';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** At most this many points per line, so any horizon renders (a day at 1-minute periods is 1,440). */
export const MAX_POINTS = 720;

/**
 * Fewer points for a long timeline: each bucket keeps its largest backlog, instance counts and
 * completions, so peaks are never averaged away.
 */
export function downsample(points: readonly TimelinePoint[], max = MAX_POINTS): TimelinePoint[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / max);
  const out: TimelinePoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    const last = bucket[bucket.length - 1];
    out.push({
      ...last,
      backlog: maxOf(bucket.map((p) => p.backlog), 0),
      runningInstances: maxOf(bucket.map((p) => p.runningInstances), 0),
      startingInstances: maxOf(bucket.map((p) => p.startingInstances), 0),
      desiredCapacity: maxOf(bucket.map((p) => p.desiredCapacity), 0),
      completions: bucket.reduce((n, p) => n + p.completions, 0),
    });
  }
  return out;
}

/**
 * A self-contained SVG timeline like the CloudWatch graphs in the reference blog: backlog (left
 * axis; solid), instances in service (right axis; dashed), instances billed (in service plus
 * starting; dotted) and the desired capacity (thin), and completions per period on one shared
 * scale (bars), for each policy on one time axis; each policy's cost and p95 next to its name.
 * Downsampled, so any horizon renders; no scripts, no external assets.
 */
export function timelineSvg(title: string, results: readonly SimulationResult[], reports: readonly PolicyReport[] = [], range?: TimeRange, width = 960, height = 440): string {
  const pad = { left: 60, right: 60, top: 40, bottom: 90 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const lines = results.map((r) => downsample(range ? r.timeline.filter((p) => p.t > range.from && p.t <= range.to) : r.timeline));
  const tMin = range?.from ?? 0;
  const tMax = Math.max(tMin + 1, range?.to ?? maxOf(lines.flatMap((l) => l.map((p) => p.t)), 1));
  // Axes end on a round tick (1, 2 or 5 × 10ⁿ steps), and every tick is labelled.
  const backlogTicks = niceTicks(maxOf(lines.flatMap((l) => l.map((p) => p.backlog)), 1), 5);
  const instTicks = niceTicks(maxOf(lines.flatMap((l) => l.map((p) => Math.max(p.runningInstances + p.startingInstances, p.desiredCapacity))), 1), 5);
  const backlogMax = backlogTicks[backlogTicks.length - 1];
  const instMax = instTicks[instTicks.length - 1];
  const completionsMax = maxOf(lines.flatMap((l) => l.map((p) => p.completions)), 1);
  const x = (t: number) => pad.left + ((t - tMin) / (tMax - tMin)) * w;
  // Lines of different policies that coincide are drawn a little apart (1.5 px per policy) so
  // each stays visible; the legend says which coincide.
  let offset = 0;
  const yB = (v: number) => pad.top + h - (v / backlogMax) * h - offset;
  const yI = (v: number) => pad.top + h - (v / instMax) * h - offset;
  const steps = (l: TimelinePoint[], value: (p: TimelinePoint) => number) =>
    l.map((p, k) => `${x(k === 0 ? tMin : l[k - 1].t).toFixed(1)},${yI(value(p)).toFixed(1)} ${x(p.t).toFixed(1)},${yI(value(p)).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/><text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top + h}" x2="${pad.left + w}" y2="${pad.top + h}" stroke="#333"/>`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + h}" stroke="#333"/><line x1="${pad.left + w}" y1="${pad.top}" x2="${pad.left + w}" y2="${pad.top + h}" stroke="#333"/>`);
  // Round times (every 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h or days), each with a tick mark and a label.
  for (const t of timeTicks(tMin, tMax)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" y1="${pad.top + h}" x2="${x(t).toFixed(1)}" y2="${pad.top + h + 4}" stroke="#333"/><text x="${x(t).toFixed(1)}" y="${pad.top + h + 16}" text-anchor="middle">${timeLabel(t, tMax - tMin, tMax)}</text>`);
  }
  // Whole numbers on both count axes: a backlog or an instance count is never 2.5.
  for (const v of backlogTicks) parts.push(`<line x1="${pad.left - 4}" y1="${yB(v)}" x2="${pad.left}" y2="${yB(v)}" stroke="#333"/><text x="${pad.left - 6}" y="${yB(v) + 4}" text-anchor="end">${v}</text>`);
  for (const v of instTicks) parts.push(`<line x1="${pad.left + w}" y1="${yI(v)}" x2="${pad.left + w + 4}" y2="${yI(v)}" stroke="#333"/><text x="${pad.left + w + 6}" y="${yI(v) + 4}">${v}</text>`);
  parts.push(`<text x="16" y="${pad.top + h / 2}" transform="rotate(-90 16 ${pad.top + h / 2})" text-anchor="middle">backlog (requests, solid)</text>`);
  parts.push(`<text x="${width - 14}" y="${pad.top + h / 2}" transform="rotate(90 ${width - 14} ${pad.top + h / 2})" text-anchor="middle">instances</text>`);
  // Drawn last-to-first so the first policy (the synthesized one) lies on top where lines overlap.
  [...lines.entries()].reverse().forEach(([i, l]) => {
    const color = COLORS[i % COLORS.length];
    offset = i * 1.5;
    const stroke = i === 0 ? 3 : 2;
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${stroke}" points="${l.map((p) => `${x(p.t).toFixed(1)},${yB(p.backlog).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${stroke}" stroke-dasharray="6 4" points="${steps(l, (p) => p.runningInstances)}"/>`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="2 3" points="${steps(l, (p) => p.runningInstances + p.startingInstances)}"/>`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="0.8" opacity="0.7" points="${steps(l, (p) => p.desiredCapacity)}"/>`);
    for (const p of l) {
      if (p.completions === 0) continue;
      const barH = (p.completions / completionsMax) * (h / 6);
      parts.push(`<rect x="${(x(p.t) - 1).toFixed(1)}" y="${(pad.top + h - barH).toFixed(1)}" width="2" height="${barH.toFixed(1)}" fill="${color}" opacity="0.35"/>`);
    }
    const r = reports[i];
    const p95 = r?.latencySeconds.p95;
    const label = r ? `${results[i].policy.name}: $${r.costUsd.toFixed(2)}, p95 ${p95 === undefined ? '—' : Number.isFinite(p95) ? `${(p95 / 60).toFixed(1)} min` : '∞'}` : results[i].policy.name;
    parts.push(`<rect x="${pad.left + i * 300}" y="${height - 46}" width="14" height="4" fill="${color}"/><text x="${pad.left + i * 300 + 20}" y="${height - 40}">${esc(label)}</text>`);
  });
  offset = 0;
  const same = coinciding(results.map((r) => r.policy.name), lines);
  parts.push(`<text x="${pad.left}" y="${height - 20}" fill="#555">solid: backlog · dashed: instances in service · dotted: billed (incl. starting) · thin: desired${same.length > 0 ? ` · ${esc(same.join('; '))} (drawn 1.5 px apart)` : ''}</text>`);
  parts.push(`<text x="${pad.left}" y="${height - 6}" fill="#555">bars: completions per period, one scale for all policies (max ${completionsMax})</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Hours for long charts, h:mm for a zoom late in a long scenario, minutes otherwise. */
function timeLabel(t: number, span: number, tMax: number): string {
  if (span >= 7200) return `${(t / 3600).toFixed(1)} h`;
  if (tMax < 7200) return `${(t / 60).toFixed(0)} min`;
  const minutes = Math.round(t / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Seconds from the start of the simulation: the part of the timeline a chart shows. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/**
 * One zoom per burst: from two minutes before it starts until the first policy's endpoint is back
 * at its idle size with nothing queued (plus five minutes), or the horizon. Bursts whose zoom
 * would show most of the horizon anyway (a day-long trickle) get none.
 */
export function burstRanges(bursts: ReadonlyArray<{ startSeconds: number; endSeconds: number }>, result: SimulationResult, horizonSeconds: number, phaseSeconds = 0): TimeRange[] {
  const idle = result.timeline[0]?.desiredCapacity ?? 0;
  const ranges: TimeRange[] = [];
  for (const burst of bursts) {
    const from = Math.max(0, burst.startSeconds + phaseSeconds - 120);
    const settled = result.timeline.find((p) => p.t > burst.endSeconds + phaseSeconds && p.backlog === 0 && p.desiredCapacity <= idle && p.startingInstances === 0);
    const to = Math.min(horizonSeconds, (settled?.t ?? horizonSeconds) + 300);
    if (to - from < 0.8 * horizonSeconds) ranges.push({ from, to });
  }
  return ranges;
}

/**
 * Round whole-number ticks from 0: a step of 1, 2 or 5 × 10ⁿ giving at most `count` intervals,
 * the last tick at or above `max` (the axis ends there).
 */
export function niceTicks(max: number, count: number): number[] {
  const top = Math.max(1, Math.ceil(max));
  let step = 1;
  for (let k = 1; ; k *= 10) {
    const found = [1, 2, 5].map((m) => m * k).find((s) => Math.ceil(top / s) <= count);
    if (found !== undefined) {
      step = found;
      break;
    }
  }
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) ticks.push(v);
  return ticks;
}

const TIME_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

/** Round times in [from, to]: multiples of the smallest step (1 min … 1 week) giving at most 8 ticks. */
export function timeTicks(from: number, to: number): number[] {
  const step = TIME_STEPS.find((s) => Math.floor(to / s) - Math.ceil(from / s) + 1 <= 8) ?? Math.ceil((to - from) / 8 / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** "blog and always-on coincide" for policies whose backlog and instance lines are the same throughout. */
export function coinciding(names: readonly string[], lines: readonly TimelinePoint[][]): string[] {
  const key = (l: TimelinePoint[]) => l.map((p) => `${p.t}:${p.backlog}:${p.runningInstances}:${p.startingInstances}:${p.desiredCapacity}`).join('|');
  const groups = new Map<string, string[]>();
  lines.forEach((l, i) => groups.set(key(l), [...(groups.get(key(l)) ?? []), names[i]]));
  return [...groups.values()].filter((g) => g.length > 1).map((g) => `${g.join(' and ')} coincide`);
}

/** A Markdown table as an HTML table (cells escaped). */
export function markdownTableHtml(markdown: string): string {
  const rows = markdown.trim().split('\n').filter((line) => line.startsWith('|') && !/^\|[\s:|-]+\|$/.test(line));
  const cells = (line: string) => line.slice(1, -1).split('|').map((c) => esc(c.trim()));
  const [head, ...body] = rows;
  return `<table style="border-collapse:collapse" border="1" cellpadding="4"><thead><tr>${cells(head).map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** A self-contained HTML page: the table (as a table) and the charts. */
export function reportHtml(title: string, tableMarkdown: string, ...svgs: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif">
<h1>${esc(title)}</h1>${markdownTableHtml(tableMarkdown)}${svgs.join('\n')}</body></html>\n`;
}
