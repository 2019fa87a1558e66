// The demo data index (public/samples/index.json): which micrographs to open on first start,
// their ground-truth coordinate files and the particle diameter to pick them with. Accepted
// shapes: an array, or { samples: [...] } / { micrographs: [...] }; each entry a file name or
// { micrograph | file | name, truth | coordinates?, diameter? }.

export interface SampleEntry {
  micrograph: string;
  truth?: string;
  /** Particle diameter in original pixels, when the index gives one. */
  diameter?: number;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function entryOf(v: unknown): SampleEntry | undefined {
  if (typeof v === 'string') return text(v) ? { micrograph: v.trim() } : undefined;
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const micrograph = text(o.micrograph) ?? text(o.file) ?? text(o.name);
  if (!micrograph) return undefined;
  const entry: SampleEntry = { micrograph };
  const truth = text(o.truth) ?? text(o.coordinates);
  if (truth) entry.truth = truth;
  const d = typeof o.diameter === 'number' ? o.diameter : Number.NaN;
  if (Number.isFinite(d) && d > 0) entry.diameter = d;
  return entry;
}

export function parseSampleIndex(json: unknown): SampleEntry[] {
  const o = json as Record<string, unknown> | null;
  const list = Array.isArray(json) ? json : Array.isArray(o?.samples) ? o.samples : Array.isArray(o?.micrographs) ? o.micrographs : [];
  return (list as unknown[]).map(entryOf).filter((e): e is SampleEntry => !!e);
}
