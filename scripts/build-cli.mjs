// Bundles the `drpnet` command (src/cli/main.ts and everything it imports, tfjs included) into
// one minified ES module, dist/cli/drpnet.mjs, run by plain Node. Why: under the tsx loader the
// process held ~170 MiB before reading a micrograph (tsx, and tfjs's unminified CommonJS builds);
// the bundle holds ~70 MiB, which is what brings a whole 4096x4096 pick under 3x the micrograph.
// `npm ci` builds it (the prepare script); bin/drpnet.js rebuilds it whenever a source file it
// was built from is newer, so the command never runs stale code.
// Plain JavaScript so that it runs before anything is compiled.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'dist/cli');
export const CLI_BUNDLE = path.join(OUT_DIR, 'drpnet.mjs');
// The source files (outside node_modules) the bundle was built from, for the staleness check.
const INPUTS = path.join(OUT_DIR, 'inputs.json');

// Bundled packages written for CommonJS (tfjs-backend-wasm's Emscripten loader) use require,
// __dirname and __filename, which an ES module does not have.
const BANNER = [
  "import { createRequire as __drpnetRequire } from 'node:module';",
  "import { fileURLToPath as __drpnetPath } from 'node:url';",
  'const require = __drpnetRequire(import.meta.url);',
  'const __filename = __drpnetPath(import.meta.url);',
  "const __dirname = __drpnetPath(new URL('.', import.meta.url));",
].join('\n');

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function buildCli() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/cli/main.ts')],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    banner: { js: BANNER },
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  mkdirSync(OUT_DIR, { recursive: true });
  // Written through a rename: two commands rebuilding at once each load a whole file.
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  writeAtomic(INPUTS, JSON.stringify({ inputs: [...inputs.map((f) => path.relative(ROOT, path.resolve(process.cwd(), f))), 'package.json'] }));
  writeAtomic(CLI_BUNDLE, result.outputFiles[0].contents);
}

const mtime = (f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs;

/** True when the bundle is missing or older than one of the files it was built from. */
export function cliBundleStale() {
  const built = mtime(CLI_BUNDLE);
  if (built === undefined || mtime(INPUTS) === undefined) return true;
  const { inputs } = JSON.parse(readFileSync(INPUTS, 'utf8'));
  return inputs.some((f) => {
    const t = mtime(path.join(ROOT, f));
    return t === undefined || t > built;
  });
}

/** The bundle's path, after rebuilding it when it is stale. */
export async function ensureCliBundle() {
  if (cliBundleStale()) await buildCli();
  return CLI_BUNDLE;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli();
