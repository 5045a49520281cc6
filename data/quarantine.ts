/**
 * The quarantine (SPEC §7): rows that could not be used — not UTF-8, unparseable JSON, rejected by the adapter, or
 * failing the dataset-row schema — are kept with their line number and the reason, counted, and never stop the run.
 */

export interface QuarantineRecord {
  /** 1-based line of the source file. */
  line: number;
  /** Why the row was rejected, one readable line (e.g. "adapter webinstruct: answer: must be a non-empty string"). */
  reason: string;
  /** The row's text, truncated to `maxRawChars`. */
  raw: string;
}

export interface QuarantineSummary {
  /** Rows quarantined. */
  count: number;
  /** The most frequent reasons with their counts, most frequent first (reasons grouped without their details). */
  topReasons: { reason: string; count: number }[];
}

/** Longest raw text kept per record, so a 10 MB line cannot bloat the quarantine file. */
export const DEFAULT_MAX_RAW_CHARS = 500;

/** Groups reasons by their kind: the text before the first ':' after the stage name, so counts stay meaningful. */
export function reasonKind(reason: string): string {
  if (reason.startsWith('json: ')) return 'json: unparseable line';
  const parts = reason.split(': ');
  return parts.length > 2 ? `${parts[0]}: ${parts[1]}` : parts[0];
}

export class Quarantine {
  readonly records: QuarantineRecord[] = [];

  constructor(private readonly maxRawChars = DEFAULT_MAX_RAW_CHARS) {}

  add(line: number, reason: string, raw: string): void {
    const text = raw.length > this.maxRawChars ? `${raw.slice(0, this.maxRawChars)}…` : raw;
    this.records.push({ line, reason, raw: text });
  }

  get count(): number {
    return this.records.length;
  }

  summary(top = 5): QuarantineSummary {
    const counts = new Map<string, number>();
    for (const r of this.records) {
      const k = reasonKind(r.reason);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const topReasons = [...counts.entries()]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
      .slice(0, top);
    return { count: this.records.length, topReasons };
  }
}
