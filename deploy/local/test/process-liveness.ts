import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True while `pid` is a live process; a zombie nobody has reaped yet counts as dead. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves true once none of `pids` is alive, false if some still are after `timeoutMs`. */
export async function allExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pids.some(isAlive)) return true;
    await sleep(100);
  }
  return !pids.some(isAlive);
}

export { isListening } from '../src/port-finder.js';
