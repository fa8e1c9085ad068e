import { countBySeverity } from './plan';
import type { Finding } from './types';

/** Column widths; detail and fix wrap in the last column. */
const SEVERITY_W = 9;
const CHECK_W = 18;
const SUBJECT_W = 44;
const DEFAULT_WIDTH = 160;
const MIN_TEXT_W = 40;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    // A word longer than the column (an ARN, a command) is cut into column-wide pieces.
    let rest = line ? `${line} ${word}` : word;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

const cell = (s: string, w: number) => (s.length > w - 1 ? `${s.slice(0, w - 2)}…` : s).padEnd(w);

/**
 * The findings as a fixed-column table for a terminal, in the order given (runChecks sorts by
 * severity): severity, check and subject in fixed columns (a longer subject wraps too), detail
 * then `fix:` wrapped in the last column; a summary line at the end.
 */
export function formatTable(findings: readonly Finding[], width = DEFAULT_WIDTH): string {
  const textW = Math.max(MIN_TEXT_W, width - SEVERITY_W - CHECK_W - SUBJECT_W);
  const indent = ' '.repeat(SEVERITY_W + CHECK_W);
  const rows = [cell('SEVERITY', SEVERITY_W) + cell('CHECK', CHECK_W) + cell('SUBJECT', SUBJECT_W) + 'DETAIL / FIX'];
  rows.push('-'.repeat(SEVERITY_W + CHECK_W + SUBJECT_W + textW));
  for (const f of findings) {
    const subject = wrap(f.subject, SUBJECT_W - 1);
    const text = [...wrap(f.detail, textW), ...wrap(`fix: ${f.fix}`, textW)];
    for (let i = 0; i < Math.max(subject.length, text.length); i++) {
      const head = i === 0 ? cell(f.severity.toUpperCase(), SEVERITY_W) + cell(f.check, CHECK_W) : indent;
      rows.push((head + (subject[i] ?? '').padEnd(SUBJECT_W) + (text[i] ?? '')).trimEnd());
    }
  }
  const n = countBySeverity(findings);
  rows.push('', `${n.error} error(s), ${n.warning} warning(s), ${n.info} info`);
  return rows.join('\n');
}
