// Training on the wasm backend. tfjs-backend-wasm 4.22 registers no Conv2DBackpropFilter
// kernel, so the gradient of every conv layer's weights fails there. We register one.
//
// Design choice: a KERNEL (not a custom gradient for Conv2D). A kernel is invisible to the
// autograd tape and to forward/inference code: Conv2D's forward kernel and its registered
// gradient are untouched, we only supply the missing backend piece. The kernel is built from
// the wasm backend's own fast kernels (Transpose, Slice, Conv2D via XNNPACK), called directly
// with the backend, so no tensors are created in the engine and intermediates are freed here.
// The wasm backend does have Conv3DBackpropFilterV2, but it is a plain C++ loop measured at
// ~0.8 GFLOP/s here, against ~12-17 GFLOP/s for the transposed-conv trick below.
//
// The trick (batch <-> channel swap): with stride s and top/left padding pt/pl,
//   dW[i, j, c, o] = sum_{b, y, x} X[b, y*s + i - pt, x*s + j - pl, c] * dY[b, y, x, o]
// which is a stride-1 conv2d of X' = X^T[c, H, W, b] (batch in the channel slot) with the
// filter F = dY^T[y, x, b, o] dilated by s, output [c, i, j, o], then transposed back.
//
// Conv2DBackpropInput exists on wasm but is a slow loop; it is replaced the same way below.
//
// The other ops both models need for training (MaxPoolGrad, Conv2DBackpropInput, Relu via
// Step, FusedBatchNorm's gradient via elementwise ops, Softmax/log, Adam's ops) all exist in
// tfjs-backend-wasm 4.22; the training tests on wasm exercise them.
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;

interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

function runWasmKernel(name: string, inputs: Record<string, Info>, attrs: Attrs, backend: tf.KernelBackend): Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, attrs, backend } as unknown as Parameters<tf.KernelFunc>[0]) as Info;
}

/** Top/left padding and output size of the forward conv, by tfjs's own rules. */
function forwardPadding(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as 'same' | 'valid' | number,
    dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  return info;
}

/** kernelFunc for Conv2DBackpropFilter on wasm; exported for tests. */
export function conv2dBackpropFilterWasm(args: { inputs: Record<string, Info>; attrs: Attrs; backend: tf.KernelBackend }): Info {
  const { inputs, attrs, backend } = args;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as [number, number, number, number];
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const info = forwardPadding(x.shape, filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode);
  const [fh, fw] = filterShape;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const [, h, w] = x.shape;
  const oh = dy.shape[1];
  const ow = dy.shape[2];
  // Bottom/right padding that makes the trick conv's output exactly fh x fw; negative means
  // the forward conv never read the last rows/cols, so they are cropped instead.
  let pb = fh + (oh - 1) * sh - pt - h;
  let pr = fw + (ow - 1) * sw - pl - w;
  const wb = backend as unknown as WasmBackendLike;
  const temps: Info[] = [];
  try {
    let xin = x;
    if (pb < 0 || pr < 0) {
      xin = runWasmKernel('Slice', { x }, { begin: [0, 0, 0, 0], size: [-1, h + Math.min(pb, 0), w + Math.min(pr, 0), -1] }, backend);
      temps.push(xin);
      pb = Math.max(pb, 0);
      pr = Math.max(pr, 0);
    }
    const xt = runWasmKernel('Transpose', { x: xin }, { perm: [3, 1, 2, 0] }, backend);
    temps.push(xt);
    const dyt = runWasmKernel('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend);
    temps.push(dyt);
    const conv = runWasmKernel(
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [pt, pb],
          [pl, pr],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [sh, sw],
        dimRoundingMode: undefined,
      },
      backend,
    );
    temps.push(conv);
    return runWasmKernel('Transpose', { x: conv }, { perm: [1, 2, 0, 3] }, backend);
  } finally {
    for (const t of temps) wb.disposeData(t.dataId);
  }
}

/**
 * Conv2DBackpropInput for stride 1 as a forward conv, so it runs on XNNPACK: with the filter
 * rotated 180 degrees and its channel axes swapped, W'[i, j, o, c] = W[fh-1-i, fw-1-j, c, o],
 *   dX = conv2d(dY, W') with top/left padding fh-1-pt / fw-1-pl.
 * tfjs-backend-wasm's own Conv2DBackpropInput is a plain loop (measured: 1360 of 1915 ms of an
 * FCRN training step, batch 16 of 64x64); strided convs still go to that original kernel.
 */
export function makeConv2dBackpropInputWasm(original: tf.KernelFunc) {
  return (args: { inputs: Record<string, Info>; attrs: Attrs; backend: tf.KernelBackend }): Info => {
    const { inputs, attrs, backend } = args;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const inputShape = attrs.inputShape as [number, number, number, number];
    const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
    const info = forwardPadding(inputShape, filter.shape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode);
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || dataFormat !== 'NHWC') {
      return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const [fh, fw] = filter.shape;
    const [, h, w] = inputShape;
    const [, oh, ow] = dy.shape;
    const pt = fh - 1 - info.padInfo.top;
    const pl = fw - 1 - info.padInfo.left;
    const pb = h - oh - pt + fh - 1;
    const pr = w - ow - pl + fw - 1;
    const wb = backend as unknown as WasmBackendLike;
    const temps: Info[] = [];
    try {
      const rot = runWasmKernel('Reverse', { x: filter }, { dims: [0, 1] }, backend);
      temps.push(rot);
      const swapped = runWasmKernel('Transpose', { x: rot }, { perm: [0, 1, 3, 2] }, backend);
      temps.push(swapped);
      return runWasmKernel(
        'Conv2D',
        { x: dy, filter: swapped },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [pt, pb],
            [pl, pr],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
        },
        backend,
      );
    } finally {
      for (const t of temps) wb.disposeData(t.dataId);
    }
  };
}

let registered = false;

/** Registers the missing/faster training kernels on 'wasm' (idempotent; forward kernels untouched). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
    });
  }
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      // Keep the original's setup (it binds the C++ function the strided fallback calls).
      setupFunc: original.setupFunc,
      kernelFunc: makeConv2dBackpropInputWasm(original.kernelFunc) as unknown as tf.KernelFunc,
    });
  }
}
