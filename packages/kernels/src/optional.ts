/**
 * Loading what a bundler must not follow and a small install may lack: Node's
 * built-ins (reached only in Node, behind a `process.versions.node` guard) and the
 * optional peer packages `gpu.js` and `webgpu` (Dawn), which `npm install psilon`
 * leaves out (the repository README, "Installing the packages").
 */

/**
 * `import(specifier)` at run time only. The specifier goes through a variable, so
 * esbuild, webpack and Vite leave the import alone instead of trying to bundle
 * (or failing to resolve) `node:os` or Dawn for a browser.
 */
export function runtimeImport<T>(specifier: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
}

/** The optional peer packages and the versions this release is tested with (package.json's peerDependencies). */
export const OPTIONAL_PACKAGES = { 'gpu.js': '2.24.1', webgpu: '0.3.10' } as const;

/** Marks the error {@link importPackage} throws when a package is not installed. */
const MISSING = Symbol.for('psilon.missingPackage');

/** Whether `e` says that an optional package is not installed (not that it failed to load). */
export function isMissingPackage(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { [MISSING]?: boolean })[MISSING] === true;
}

/**
 * Imports package `name`; when it is not installed, throws one line naming what
 * needed it and the command that installs it. Other load failures (a broken
 * native binary) are rethrown as they are.
 */
export async function importPackage<T>(name: string, version: string, needs: string): Promise<T> {
  try {
    return await runtimeImport<T>(name);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const notFound = err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)|Failed to (load|resolve)/.test(err.message ?? '');
    if (!notFound || !(err.message ?? '').includes(name)) throw e;
    const missing = new Error(`${needs} needs the optional package '${name}', which is not installed: run \`npm install ${name}@${version}\``);
    Object.defineProperty(missing, MISSING, { value: true });
    throw missing;
  }
}

/** {@link importPackage} for one of the {@link OPTIONAL_PACKAGES}. */
export function importOptional<T>(name: keyof typeof OPTIONAL_PACKAGES, needs: string): Promise<T> {
  return importPackage<T>(name, OPTIONAL_PACKAGES[name], needs);
}
