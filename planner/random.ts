/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same run everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller). */
export function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A lognormal given by its median and 95th percentile (σ = ln(p95/median) / 1.645). */
export function lognormalSampler(median: number, p95: number, random: () => number): () => number {
  const mu = Math.log(median);
  const sigma = Math.log(p95 / median) / 1.6448536269514722;
  return () => Math.exp(mu + sigma * normal(random));
}
