// Types of scripts/build-cli.mjs (plain JavaScript, so it runs before anything is compiled).
export const CLI_BUNDLE: string;
export function buildCli(outDir?: string): Promise<void>;
export function cliBundleStale(outDir?: string): boolean;
export function ensureCliBundle(outDir?: string): Promise<string>;
