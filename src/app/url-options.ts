// Options a URL may carry, for tests, benchmarks and sharing a setup:
//   ?backend=wasm|webgpu|cpu|auto   force a compute backend
//   ?workers=N                      size of the worker pool (WASM/CPU)
//   ?models=URL                     folder holding fcrn/ and classifier/ (read by the bridge)
import type { BackendChoice } from '../../workers/engine-api';

export interface UrlOptions {
  backend?: BackendChoice;
  workers?: number;
  models?: string;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export function urlOptions(search: string): UrlOptions {
  const q = new URLSearchParams(search);
  const out: UrlOptions = {};
  const b = q.get('backend');
  if (b && (BACKENDS as readonly string[]).includes(b)) out.backend = b as BackendChoice;
  const w = Number(q.get('workers'));
  if (q.has('workers') && Number.isInteger(w) && w >= 1) out.workers = w;
  const m = q.get('models');
  if (m) out.models = m;
  return out;
}
