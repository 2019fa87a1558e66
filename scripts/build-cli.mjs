// Bundles the `drpnet` command (src/cli/main.ts and everything it imports, tfjs included) into
// one minified ES module, dist/cli/drpnet.mjs, run by plain Node. Why: under the tsx loader the
// process held ~170 MiB before reading a micrograph (tsx, and tfjs's unminified CommonJS builds);
// the bundle holds ~70 MiB, which is what brings a whole 4096x4096 pick under 3x the micrograph.
// `npm ci` builds it (the prepare script); bin/drpnet.js rebuilds it whenever a file it was
// built from is newer, so the command never runs stale code.
// dist/cli sits as deep below the repository as src/cli: paths the CLI resolves from its own
// location (../../public/models) hold in both.
// Plain JavaScript so that it runs before anything is compiled.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'dist/cli');
export const CLI_BUNDLE = path.join(OUT_DIR, 'drpnet.mjs');
// Besides the sources esbuild reads: the installed packages' versions (the lock file), the
// compiler settings and this script's own options.
const ALSO_BUILT_FROM = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build-cli.mjs'];

// Bundled packages written for CommonJS (tfjs-backend-wasm's Emscripten loader) use require,
// __dirname and __filename, which an ES module does not have.
const BANNER = [
  "import { createRequire as __drpnetRequire } from 'node:module';",
  "import { fileURLToPath as __drpnetPath } from 'node:url';",
  'const require = __drpnetRequire(import.meta.url);',
  'const __filename = __drpnetPath(import.meta.url);',
  "const __dirname = __drpnetPath(new URL('.', import.meta.url));",
].join('\n');

const bundleIn = (outDir) => path.join(outDir, 'drpnet.mjs');
// The source files (outside node_modules) the bundle was built from, for the staleness check.
const inputsIn = (outDir) => path.join(outDir, 'inputs.json');

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Builds the bundle into `outDir` (default dist/cli). */
export async function buildCli(outDir = OUT_DIR) {
  const started = new Date();
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/cli/main.ts')],
    outfile: bundleIn(outDir),
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
  mkdirSync(outDir, { recursive: true });
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  const inputs = [...sources.map((f) => path.relative(ROOT, path.resolve(process.cwd(), f))), ...ALSO_BUILT_FROM];
  // Written through a rename: two commands rebuilding at once each load a whole file.
  writeAtomic(inputsIn(outDir), JSON.stringify({ inputs }));
  writeAtomic(bundleIn(outDir), result.outputFiles[0].contents);
  // Dated when the build started: a source saved while esbuild ran is newer, so the next
  // command rebuilds.
  utimesSync(bundleIn(outDir), started, started);
}

const mtime = (f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs;

/** True when the bundle is missing or older than one of the files it was built from. */
export function cliBundleStale(outDir = OUT_DIR) {
  const built = mtime(bundleIn(outDir));
  if (built === undefined || mtime(inputsIn(outDir)) === undefined) return true;
  const { inputs } = JSON.parse(readFileSync(inputsIn(outDir), 'utf8'));
  return inputs.some((f) => {
    const t = mtime(path.join(ROOT, f));
    return t === undefined || t > built;
  });
}

/** The bundle's path, after rebuilding it when it is stale. */
export async function ensureCliBundle(outDir = OUT_DIR) {
  if (cliBundleStale(outDir)) {
    try {
      await buildCli(outDir);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new Error(
        `the drpnet command in ${outDir} is older than its sources and could not be rebuilt (${why}); run \`npm ci\` (or \`npm run build:cli\`) where you may write`,
      );
    }
  }
  return bundleIn(outDir);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli();
