import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  /** The executable the kernel runs (`/proc/<pid>/exe`), symlinks resolved. */
  executable: string;
  commandLine: string;
}

async function readProcess(pid: number): Promise<(ProcessInfo & { parent: number }) | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state, ppid, …
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const executable = await readlink(`/proc/${pid}/exe`);
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
    return { pid, parent, executable, commandLine };
  } catch {
    return undefined; // ended while being read
  }
}

/** Every process below `root` (children, their children, …), read from Linux's `/proc`. */
export async function descendantProcesses(root: number): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const all = (await Promise.all(pids.map(readProcess))).filter((info) => info !== undefined);
  const below = new Set([root]);
  const found: ProcessInfo[] = [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const info of all) {
      if (below.has(info.parent) && !below.has(info.pid)) {
        below.add(info.pid);
        found.push({ pid: info.pid, executable: info.executable, commandLine: info.commandLine });
        grew = true;
      }
    }
  }
  return found;
}
