#!/usr/bin/env node
// The `drpnet` command: runs the bundled CLI (scripts/build-cli.mjs says why a bundle), rebuilt
// first when src/ has changed since it was built.
import { ensureCliBundle } from '../scripts/build-cli.mjs';

let bundle;
try {
  bundle = await ensureCliBundle();
} catch (e) {
  process.stderr.write(`drpnet: ${e.message}\n`);
  process.exit(2);
}
const { main } = await import(bundle);
process.exitCode = await main(process.argv.slice(2));
