// Measures browser batch-picking throughput through the app's own worker pool (engine-bridge:
// the same pool, scheduler and worker code the workbench uses), for a chosen number of
// workers. `npm run bench` opens this page in headless Chromium and calls, e.g.:
//   await measureThroughput({ workers: 2, count: 20, size: 4096 })
//   await measureThroughput({ workers: 1, urls: ['/tmp/bench/mic_0001.mrc', ...] })
// Micrographs are simulated in the page (a few distinct ones, reused under different names:
// every one is still read, decoded and picked in full) or fetched from `urls`.
import { writeMrc } from '../../src/core/io/mrc';
import { DEFAULT_PICK_PARAMS, type PickParams } from '../../src/core/params';
import { particleDiameterPx } from '../../src/core/simulate/phantoms';
import { simulateMicrograph } from '../../src/core/simulate/simulate';
import { EngineBridge } from '../../src/app/engine-bridge';
import type { BackendChoice, EngineMemory } from '../../workers/engine-api';

export interface ThroughputOptions {
  /** Workers in the pool (default: one per core). */
  workers?: number;
  backend?: BackendChoice;
  /** Micrographs to pick (default 8; with `urls`, their number). */
  count?: number;
  /** Side of simulated micrographs (default 4096). */
  size?: number;
  /** Distinct simulated micrographs the batch cycles through (default 2). */
  distinct?: number;
  /** Angstrom per pixel of simulated micrographs (default 1.3). */
  pixelSize?: number;
  seed?: number;
  /** Micrograph files to fetch instead of simulating. */
  urls?: string[];
  /** Particle diameter in pixels (default: the simulated particle's). */
  diameter?: number;
  /** Also ask Chrome for the page's whole memory use (performance.measureUserAgentSpecificMemory). */
  measureMemory?: boolean;
}

export interface ThroughputResult {
  backend: string;
  workers: number;
  threadsPerWorker: number;
  threads?: number;
  count: number;
  picked: number;
  failed: number;
  seconds: number;
  micrographsPerMinute: number;
  /** Per micrograph, ms from batch start to its result, in completion order. */
  finishedAtMs: number[];
  /** Per micrograph, the worker's stage timings (ms). */
  timings: Record<string, number>[];
  startSeconds: number;
  memory: EngineMemory[];
  pageMemoryBytes?: number;
  hardwareConcurrency: number;
}

async function sources(o: ThroughputOptions): Promise<{ blobs: Blob[]; names: string[]; diameter: number }> {
  if (o.urls?.length) {
    const blobs = await Promise.all(o.urls.map(async (u) => (await fetch(u)).blob()));
    return { blobs, names: o.urls.map((u) => u.split('/').pop()!), diameter: o.diameter ?? 140 };
  }
  const size = o.size ?? 4096;
  const pixelSize = o.pixelSize ?? 1.3;
  const distinct = Math.max(1, o.distinct ?? 2);
  const blobs: Blob[] = [];
  for (let i = 0; i < distinct; i++) {
    const sim = simulateMicrograph({ width: size, height: size, pixelSize, kind: 'betagal', seed: (o.seed ?? 1) + i });
    blobs.push(new Blob([writeMrc(sim.image, { pixelSize })]));
  }
  const count = o.count ?? 8;
  return {
    blobs: Array.from({ length: count }, (_, i) => blobs[i % distinct]),
    names: Array.from({ length: count }, (_, i) => `sim_${String(i + 1).padStart(4, '0')}.mrc`),
    diameter: o.diameter ?? Math.round(particleDiameterPx('betagal', pixelSize)),
  };
}

async function pageMemory(): Promise<number | undefined> {
  const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
  if (!perf.measureUserAgentSpecificMemory || !crossOriginIsolated) return undefined;
  return (await perf.measureUserAgentSpecificMemory()).bytes;
}

async function measureThroughput(o: ThroughputOptions = {}): Promise<ThroughputResult> {
  const { blobs, names, diameter } = await sources(o);
  const bridge = new EngineBridge();
  const t0 = performance.now();
  const info = await bridge.start({ backend: o.backend ?? 'wasm', workers: o.workers });
  if (info.modelError) throw new Error(`models not loaded: ${info.modelError}`);
  const startSeconds = (performance.now() - t0) / 1000;
  const params: PickParams = { ...DEFAULT_PICK_PARAMS, diameter };
  names.forEach((name, i) => bridge.register(`m${i}`, name, blobs[i]));
  const finishedAtMs: number[] = [];
  const timings: Record<string, number>[] = [];
  const errors: string[] = [];
  const tb = performance.now();
  const handle = bridge.batch(
    names.map((_, i) => ({ key: `m${i}`, params })),
    {
      onDone: (_k, r) => {
        finishedAtMs.push(Math.round(performance.now() - tb));
        timings.push(r.timings);
      },
      onError: (k, e) => errors.push(`${k}: ${(e as Error).message}`),
    },
  );
  const done = await handle.done;
  if (errors.length) console.warn(`throughput: ${errors.length} failed`, errors.slice(0, 3));
  const memory = await bridge.memory();
  const pageMemoryBytes = o.measureMemory ? await pageMemory() : undefined;
  bridge.stop();
  return {
    backend: info.backend,
    workers: info.workers,
    threadsPerWorker: info.threadsPerWorker,
    threads: info.threads,
    count: names.length,
    picked: done.picked,
    failed: done.failed,
    seconds: done.seconds,
    micrographsPerMinute: (done.picked / done.seconds) * 60,
    finishedAtMs,
    timings,
    startSeconds,
    memory,
    pageMemoryBytes,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

(window as unknown as { measureThroughput: typeof measureThroughput }).measureThroughput = measureThroughput;
document.body.dataset.ready = 'true';
