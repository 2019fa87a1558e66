// TensorFlow.js backend selection for the browser (main thread or worker) and Node.
// WebGPU is imported only dynamically, when it is asked for or may be chosen, so Node never
// loads it unless told to. A software WebGPU adapter (SwiftShader, adapter.info
// .isFallbackAdapter) runs ~100x slower than wasm here, so 'auto' never picks it.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DrpnetError } from '../errors';
import { registerWasmTrainingKernels } from './grad-kernels';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface BackendEnv {
  /** Folder (URL prefix ending in "/") holding the tfjs-backend-wasm *.wasm files, or a map from file name to URL (bundlers hash names). Node default: node_modules. */
  wasmPaths?: string | Record<string, string>;
  /** Allow the multi-threaded wasm build when the page is cross-origin isolated (default true). */
  threads?: boolean;
}

export interface BackendResult {
  backend: BackendName;
  /** WebGPU adapter description (vendor / architecture), when WebGPU is in use. */
  adapter?: string;
  isFallbackAdapter?: boolean;
  /** wasm: threads in use (1 = single-threaded). */
  threads?: number;
}

// Minimal slice of the WebGPU API we read; the DOM lib of this TypeScript has no WebGPU types.
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

export function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu;
}

interface AdapterProbe {
  adapter?: GpuAdapterLike;
  description?: string;
  isFallback?: boolean;
  why?: string;
}

async function probeWebGpu(): Promise<AdapterProbe> {
  const gpu = navigatorGpu();
  if (!gpu) return { why: 'this runtime has no WebGPU (navigator.gpu is missing)' };
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { why: `requesting a WebGPU adapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { why: 'no WebGPU adapter is available (GPU blocklisted or disabled)' };
  const info = adapter.info ?? {};
  const isFallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  const description = [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') || 'unknown adapter';
  return { adapter, description: isFallback ? `${description} (fallback adapter)` : description, isFallback };
}

async function trySetBackend(name: BackendName): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') reported failure`;
    await tf.ready();
    return tf.getBackend() === name ? undefined : `backend is '${tf.getBackend()}' after setting '${name}'`;
  } catch (e) {
    return (e as Error).message;
  }
}

async function startWebGpu(): Promise<string | undefined> {
  try {
    // Dynamic on purpose: keeps the WebGPU package out of Node unless requested.
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return `loading the WebGPU backend failed: ${(e as Error).message}`;
  }
  return trySetBackend('webgpu');
}

async function startWasm(env: BackendEnv): Promise<string | undefined> {
  if (env.wasmPaths) setWasmPaths(env.wasmPaths);
  if (env.threads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasmTrainingKernels();
  return trySetBackend('wasm');
}

function wasmThreads(): number {
  // Multi-threading needs SharedArrayBuffer (cross-origin isolation); Node's build is single-threaded.
  const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') && !isNodeRuntime();
  const hw = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return threaded ? Math.max(1, hw ?? 1) : 1;
}

function fail(choice: BackendName, why: string): never {
  throw new DrpnetError('model-error', `the ${choice} backend could not be started: ${why}`);
}

/**
 * Starts a TensorFlow.js backend. 'auto': in a browser WebGPU on a real (non-fallback)
 * adapter, else wasm, else cpu; in Node wasm, else cpu. A forced choice that cannot start
 * throws DrpnetError('model-error') saying why.
 */
export async function initBackend(choice: BackendChoice, env: BackendEnv = {}): Promise<BackendResult> {
  if (choice === 'webgpu') {
    const probe = await probeWebGpu();
    if (!probe.adapter) fail('webgpu', probe.why ?? 'no adapter');
    const why = await startWebGpu();
    if (why) fail('webgpu', why);
    return { backend: 'webgpu', adapter: probe.description, isFallbackAdapter: probe.isFallback };
  }
  if (choice === 'wasm') {
    const why = await startWasm(env);
    if (why) fail('wasm', why);
    return { backend: 'wasm', threads: wasmThreads() };
  }
  if (choice === 'cpu') {
    const why = await trySetBackend('cpu');
    if (why) fail('cpu', why);
    return { backend: 'cpu' };
  }
  if (!isNodeRuntime()) {
    const probe = await probeWebGpu();
    if (probe.adapter && !probe.isFallback && !(await startWebGpu())) {
      return { backend: 'webgpu', adapter: probe.description, isFallbackAdapter: false };
    }
  }
  if (!(await startWasm(env))) return { backend: 'wasm', threads: wasmThreads() };
  const why = await trySetBackend('cpu');
  if (why) fail('cpu', `no backend could be started (wasm and cpu both failed): ${why}`);
  return { backend: 'cpu' };
}
