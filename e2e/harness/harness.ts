// Runs the real pipeline (shipped models, core code) in the page on a chosen tfjs backend,
// so a test can compare backends on the same input. Exposed as window.runPipeline.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendName } from '../../src/core/model/backend';
import { loadModelFromUrl, readMetadata } from '../../src/core/model/model-io';
import { DEFAULT_PICK_PARAMS } from '../../src/core/params';
import { decodedMicrograph } from '../../src/core/io/micrograph';
import { PickSession, pickMicrograph } from '../../src/core/pipeline';
import { particleDiameterPx } from '../../src/core/simulate/phantoms';
import { simulateMicrograph } from '../../src/core/simulate/simulate';

async function runPipeline(backend: BackendName, size: number, seed: number) {
  const info = await initBackend(backend, {
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    },
  });
  const [fcrn, classifier] = await Promise.all([
    loadModelFromUrl('/models/fcrn/model.json'),
    loadModelFromUrl('/models/classifier/model.json'),
  ]);
  const pixelSize = 4;
  const sim = simulateMicrograph({ width: size, height: size, pixelSize, kind: 'betagal', seed });
  const diameter = Math.round(particleDiameterPx('betagal', pixelSize));
  const session = new PickSession('harness', decodedMicrograph(sim.image, { pixelSize, frames: 1, averaged: false, format: 'mrc' }));
  const t0 = performance.now();
  const res = await pickMicrograph(session, { fcrn, fcrnMeta: readMetadata(fcrn), classifier }, { ...DEFAULT_PICK_PARAMS, diameter });
  return {
    info,
    seconds: (performance.now() - t0) / 1000,
    diameter,
    map: Array.from(res.detection.map.data),
    picks: res.all.map((p) => ({ x: p.x, y: p.y, pParticle: p.pParticle, kept: p.kept })),
  };
}

(window as unknown as { runPipeline: typeof runPipeline }).runPipeline = runPipeline;
document.body.dataset.ready = 'true';
