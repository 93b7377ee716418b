/**
 * The benchmark's figures: each one a measured value, optionally next to its target with
 * PASS/MISS, printed as a readable table and saved as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Comparison = '<' | '<=' | '>=';
export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'PENDING';

export interface Target {
  op: Comparison;
  value: number;
}

export interface Figure {
  section: string;
  name: string;
  /** null when the figure could not be measured (see `note`). */
  value: number | null;
  unit: string;
  target?: Target;
  verdict: Verdict;
  note?: string;
}

function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '<':
      return value < target.value;
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (abs < 0.1) return value.toFixed(4);
  if (abs < 10) return value.toFixed(2);
  if (abs < 1000) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export interface ReportParts {
  figures: Figure[];
  notes: Record<string, string[]>;
  details: Record<string, unknown>;
}

export class Report {
  readonly figures: Figure[] = [];
  private readonly sectionNotes = new Map<string, string[]>();
  /** Sections in the order they were first used. */
  private readonly sections: string[] = [];
  /** Raw summaries behind the figures (percentiles, counts), saved with them. */
  private readonly details: Record<string, unknown> = {};

  constructor(readonly context: Record<string, unknown>) {}

  /** Adds a figure; with a target its verdict is PASS or MISS, without one INFO. */
  add(section: string, name: string, value: number, unit: string, target?: Target, note?: string): Figure {
    const figure: Figure = {
      section,
      name,
      value,
      unit,
      verdict: target === undefined ? 'INFO' : meets(value, target) ? 'PASS' : 'MISS',
      ...(target === undefined ? {} : { target }),
      ...(note === undefined ? {} : { note }),
    };
    this.push(figure);
    return figure;
  }

  /** A figure that could not be measured in this run. */
  pending(section: string, name: string, unit: string, note: string, target?: Target): void {
    this.push({
      section,
      name,
      value: null,
      unit,
      verdict: 'PENDING',
      note,
      ...(target === undefined ? {} : { target }),
    });
  }

  detail(key: string, value: unknown): void {
    this.details[key] = value;
  }

  private push(figure: Figure): void {
    this.use(figure.section);
    this.figures.push(figure);
  }

  private use(section: string): void {
    if (!this.sections.includes(section)) this.sections.push(section);
  }

  note(section: string, text: string): void {
    this.use(section);
    const notes = this.sectionNotes.get(section) ?? [];
    notes.push(text);
    this.sectionNotes.set(section, notes);
  }

  render(): string {
    const lines: string[] = [];
    const valueOf = (f: Figure): string =>
      f.value === null ? '—' : `${formatNumber(f.value)} ${f.unit}`.trim();
    const targetOf = (f: Figure): string =>
      f.target ? `${f.target.op} ${formatNumber(f.target.value)} ${f.unit}`.trim() : '';
    const nameWidth = Math.max(6, ...this.figures.map((f) => f.name.length)) + 2;
    const valueWidth = Math.max(5, ...this.figures.map((f) => valueOf(f).length));
    const targetWidth = Math.max(6, ...this.figures.map((f) => targetOf(f).length)) + 2;
    for (const section of this.sections) {
      lines.push('', `== ${section} ==`);
      const figures = this.figures.filter((f) => f.section === section);
      if (figures.length > 0) {
        lines.push(
          `  ${'figure'.padEnd(nameWidth)}${'value'.padStart(valueWidth)}  ${'target'.padEnd(targetWidth)}result`,
        );
      }
      for (const f of figures) {
        lines.push(
          `  ${f.name.padEnd(nameWidth)}${valueOf(f).padStart(valueWidth)}  ${targetOf(f).padEnd(targetWidth)}${f.verdict}`,
        );
        if (f.note) lines.push(`      ${f.note}`);
      }
      for (const note of this.sectionNotes.get(section) ?? []) lines.push(`  * ${note}`);
    }
    const targeted = this.figures.filter((f) => f.target !== undefined);
    const count = (v: Verdict): number => targeted.filter((f) => f.verdict === v).length;
    lines.push(
      '',
      `Targets: ${count('PASS')} PASS, ${count('MISS')} MISS, ${count('PENDING')} PENDING (of ${targeted.length})`,
    );
    return lines.join('\n');
  }

  toJson(): object {
    return {
      context: this.context,
      figures: this.figures,
      notes: Object.fromEntries(this.sectionNotes),
      details: this.details,
    };
  }

  /** Figures, notes and details, to hand to another process's report. */
  parts(): ReportParts {
    return { figures: this.figures, notes: Object.fromEntries(this.sectionNotes), details: this.details };
  }

  merge(parts: ReportParts): void {
    for (const figure of parts.figures) this.push(figure);
    for (const [section, notes] of Object.entries(parts.notes)) for (const n of notes) this.note(section, n);
    Object.assign(this.details, parts.details);
  }

  save(file: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(this.toJson(), null, 2)}\n`);
  }
}
