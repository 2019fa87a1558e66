// A classifier that gives particles low scores, as the shipped one does on real micrographs
// unlike its training data: the weights of a models folder's classifier with its softmax bias
// moved by `push` towards background on each side (p(particle) x ~e^(-2 push)).
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Manifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** The classifier's weights.bin of `modelsDir`, with the particle output pushed down. */
export function shyClassifierWeights(modelsDir: string, push = 6): Buffer {
  const manifest = JSON.parse(readFileSync(path.join(modelsDir, 'classifier', 'model.json'), 'utf8')) as Manifest;
  const [group] = manifest.weightsManifest;
  let offset = 0;
  for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new Error(`${w.name}: ${w.dtype} weights are not handled here`);
    if (w.name === 'softmax/bias') {
      const weights = readFileSync(path.join(modelsDir, 'classifier', group.paths[0]));
      weights.writeFloatLE(weights.readFloatLE(offset) + push, offset);
      weights.writeFloatLE(weights.readFloatLE(offset + 4) - push, offset + 4);
      return weights;
    }
    offset += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  throw new Error(`${modelsDir}: the classifier has no softmax/bias`);
}
