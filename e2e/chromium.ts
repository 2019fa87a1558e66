// Debian's chromium, the one browser on our machines (no browser can be downloaded): where it
// is, and the flags it needs to run headless here. The e2e tests, the browser benchmark and the
// screenshot script all launch it with these.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Offers WebGPU (a SwiftShader adapter where there is no GPU). */
export const WEBGPU_FLAG = '--enable-unsafe-webgpu';
