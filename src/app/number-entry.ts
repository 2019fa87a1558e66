// What a number field commits: the typed text read as a number and brought inside the field's
// range (a value outside it is clamped, not refused), whole when the field takes whole numbers.
// Text that is no number commits nothing (the field shows its value again).

export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
}

export function committedNumber(text: string, range: NumberRange): number | undefined {
  const t = text.trim().replace(',', '.');
  if (!t) return undefined;
  const v = Number(t);
  if (!Number.isFinite(v)) return undefined;
  const clamped = Math.min(range.max, Math.max(range.min, v));
  return range.integer ? Math.round(clamped) : clamped;
}

/**
 * What to tell the user when the typed number lies outside the range and was clamped (a tester
 * typed 0 and 1e9 for the diameter and saw it run at other sizes unsaid); undefined otherwise.
 */
export function clampNote(text: string, range: NumberRange, label: string): string | undefined {
  const typed = Number(text.trim().replace(',', '.'));
  const used = committedNumber(text, range);
  if (used === undefined || !Number.isFinite(typed) || (typed >= range.min && typed <= range.max)) return undefined;
  return `${label}: ${typed} is outside ${range.min} to ${range.max}; ${used} is used.`;
}

/** One step up (+1) or down (-1) from a value, clamped; steps round away the float error of the step. */
export function steppedNumber(value: number, direction: 1 | -1, step: number, range: NumberRange): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const v = Number((value + direction * step).toFixed(decimals));
  return committedNumber(String(v), range) ?? value;
}
