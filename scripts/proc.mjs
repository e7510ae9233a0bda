/** What the benchmarks read of a process tree from /proc (Linux). */
import { readFileSync, readdirSync } from 'node:fs';

/** The processes below `pid`, from the kernel's list of each thread's children. */
export function descendants(pid) {
  const out = [];
  const walk = (p) => {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let kids = '';
      try {
        kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of kids.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}
