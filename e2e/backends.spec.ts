// The WebGPU path gives the same detector map and picks as the WASM path. Headless Chromium
// here offers only SwiftShader's software WebGPU adapter (~100x slower than WASM), so the
// input is a small simulated micrograph.
import { expect, test } from '@playwright/test';

type Candidate = { x: number; y: number; pParticle?: number; kept: boolean };
type Run = {
  info: { backend: string; adapter?: string; isFallbackAdapter?: boolean };
  seconds: number;
  diameter: number;
  map: number[];
  picks: Candidate[];
};

/** Candidates agree one-to-one within 0.5 px, p(particle) within 1e-2, and the same keep decision. */
function expectSameCandidates(wasm: Candidate[], gpu: Candidate[]): void {
  expect(wasm.length).toBeGreaterThan(3);
  expect(gpu).toHaveLength(wasm.length);
  for (const p of wasm) {
    const q = gpu.reduce((best, c) => (Math.hypot(c.x - p.x, c.y - p.y) < Math.hypot(best.x - p.x, best.y - p.y) ? c : best));
    expect(Math.hypot(q.x - p.x, q.y - p.y)).toBeLessThan(0.5);
    expect(Math.abs((q.pParticle ?? 0) - (p.pParticle ?? 0))).toBeLessThan(1e-2);
    expect(q.kept).toBe(p.kept);
  }
}

async function run(page: import('@playwright/test').Page, backend: 'wasm' | 'webgpu'): Promise<Run> {
  await page.goto('/e2e/harness/index.html');
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1);
  return page.evaluate(
    async (b) => (window as unknown as { runPipeline: (b: string, size: number, seed: number) => Promise<Run> }).runPipeline(b, 256, 11),
    backend,
  );
}

test('WebGPU and WASM give the same map and picks', async ({ page }) => {
  const wasm = await run(page, 'wasm');
  const gpu = await run(page, 'webgpu');
  expect(wasm.info.backend).toBe('wasm');
  expect(gpu.info.backend).toBe('webgpu');
  console.log(
    `wasm ${wasm.seconds.toFixed(2)} s; webgpu (${gpu.info.adapter}) ${gpu.seconds.toFixed(2)} s; ${wasm.picks.length} candidates`,
  );

  // Tolerance: the normalised [0,1] maps agree within 1e-3 everywhere (float32 on different
  // hardware paths); candidates agree one-to-one within 0.5 px and p(particle) within 1e-2.
  expect(gpu.map.length).toBe(wasm.map.length);
  let maxDiff = 0;
  for (let i = 0; i < wasm.map.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wasm.map[i] - gpu.map[i]));
  expect(maxDiff).toBeLessThan(1e-3);
  expectSameCandidates(wasm.picks, gpu.picks);
});

test('the workbench engine (worker pool through the bridge) picks the same on WebGPU as on WASM', async ({ page }) => {
  await page.goto('/e2e/harness/throughput.html');
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1);
  const runs = await page.evaluate(async () => {
    const bridgeUrl = '/src/app/engine-bridge.ts';
    const simUrl = '/src/core/simulate/simulate.ts';
    const mrcUrl = '/src/core/io/mrc.ts';
    const paramsUrl = '/src/core/params.ts';
    const { EngineBridge } = await import(/* @vite-ignore */ bridgeUrl);
    const { simulateMicrograph } = await import(/* @vite-ignore */ simUrl);
    const { writeMrc } = await import(/* @vite-ignore */ mrcUrl);
    const { DEFAULT_PICK_PARAMS } = await import(/* @vite-ignore */ paramsUrl);
    const sim = simulateMicrograph({ width: 256, height: 256, pixelSize: 4, kind: 'betagal', seed: 11 });
    const file = new Blob([writeMrc(sim.image, { pixelSize: 4 })]);
    const out: Record<string, { info: { backend: string; adapter?: string; workers: number }; seconds: number; picks: Candidate[] }> = {};
    for (const backend of ['wasm', 'webgpu']) {
      const bridge = new EngineBridge();
      const info = await bridge.start({ backend });
      bridge.register('k', 'tiny.mrc', file);
      const t0 = performance.now();
      const r = await bridge.pick('k', { ...DEFAULT_PICK_PARAMS, diameter: 43 });
      out[backend] = { info, seconds: (performance.now() - t0) / 1000, picks: r.picks };
      bridge.stop();
    }
    return out;
  });
  const { wasm, webgpu } = runs;
  console.log(
    `bridge: wasm ${wasm.seconds.toFixed(2)} s (${wasm.info.workers} workers); webgpu (${webgpu.info.adapter}) ${webgpu.seconds.toFixed(2)} s (${webgpu.info.workers} worker); ${wasm.picks.length} candidates`,
  );
  expect(wasm.info.backend).toBe('wasm');
  expect(webgpu.info).toMatchObject({ backend: 'webgpu', workers: 1 });
  expectSameCandidates(wasm.picks, webgpu.picks);
});
