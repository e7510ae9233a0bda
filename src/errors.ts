/** A user's mistake, located in a file: printed as one line `file:line:col: message (hint)`. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return `${where}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

/** Raised for anything the user can fix. Carries every problem found, not just the first. Exit code 1. */
export class BriefingError extends Error {
  readonly problems: Problem[];
  readonly exitCode = 1;
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'BriefingError';
    this.problems = problems;
  }
}

/** A user error that belongs to no file: a bad flag, a missing browser. */
export function usageError(message: string, hint?: string): BriefingError {
  return new BriefingError([{ file: 'briefing', line: 0, col: 0, message, ...(hint ? { hint } : {}) }]);
}
