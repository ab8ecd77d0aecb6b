// Whether any process of the stack kept growing between two samples of its resident memory.

export interface NamedProcess {
  name: string;
  pid: number | undefined;
}

export interface RssGrowth {
  name: string;
  firstMb: number;
  lastMb: number;
  /** (last − first) / first; 0 when the first sample is 0. */
  growth: number;
  ok: boolean;
}

/** Growth of each process from the first sample to the last; ok when below `limit` (0.1 = 10 %) and still running. */
export function rssGrowth(first: Record<string, number>, last: Record<string, number>, limit: number): RssGrowth[] {
  return Object.entries(first).map(([name, firstMb]) => {
    const lastMb = last[name] ?? 0;
    const growth = firstMb > 0 ? (lastMb - firstMb) / firstMb : 0;
    return {
      name,
      firstMb,
      lastMb,
      growth: Math.round(growth * 1000) / 1000,
      ok: firstMb > 0 && lastMb > 0 && growth < limit,
    };
  });
}
