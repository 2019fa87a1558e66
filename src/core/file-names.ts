// File-name pieces every layer needs, for '/' and '\' separated paths alike.

/** The last path component. */
export function baseName(path: string): string {
  const parts = path.trim().split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** The extension in lower case, without the dot ('' when none; a leading dot starts no extension). */
export function extensionOf(name: string): string {
  const base = baseName(name);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Extensions as a reader sees them: ".mrc .mrcs .st" (or joined with `sep`). */
export function dotted(extensions: readonly string[], sep = ' '): string {
  return extensions.map((e) => `.${e}`).join(sep);
}
