import type { StreamArrival } from '@shop/testing';

export type Arrival = StreamArrival;

/** The first copy of each event by id (consumers dedupe on it), in the order given. */
export function firstCopies(arrivals: Arrival[]): Arrival[] {
  const seen = new Set<string>();
  return arrivals.filter(({ event }) => !seen.has(event.id) && seen.add(event.id));
}

/** Events per second that arrived inside the given time windows (ms since the epoch). */
export function arrivalRate(arrivals: Arrival[], windows: Array<{ start: number; end: number }>): number {
  const inside = arrivals.filter(({ arrivedAt }) =>
    windows.some((window) => arrivedAt >= window.start && arrivedAt < window.end),
  ).length;
  const seconds = windows.reduce((sum, window) => sum + (window.end - window.start) / 1000, 0);
  return seconds > 0 ? inside / seconds : 0;
}
