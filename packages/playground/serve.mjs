#!/usr/bin/env node
/**
 * Serves dist/ on http://127.0.0.1:<port> (default 5173, or PORT; loopback only), with
 * the COOP/COEP headers that make the page cross-origin isolated (`crossOriginIsolated`),
 * which shared WebAssembly memory needs: without them the wasm backend runs on one thread.
 * When the default port is busy the next free one is taken; a port asked for explicitly
 * (PORT or --port) that is busy is refused with one line saying how to choose another.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const root = new URL('./dist/', import.meta.url).pathname;
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.map': 'application/json', '.png': 'image/png' };
/** Sent with every response: cross-origin isolation (so SharedArrayBuffer and threads work), and no sniffing. */
export const HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};
export const DEFAULT_PORT = 5173;

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (e) => { server.off('listening', onListening); reject(e); };
    const onListening = () => { server.off('error', onError); resolve(server); };
    server.once('error', onError).once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

/**
 * Starts the server on `port` (0: any free port); resolves with it once listening.
 * With `fallback` (the default port, not one the user named), a busy port moves on to
 * the next, up to 20 tries. A busy port otherwise rejects with an Error whose message
 * names the port and how to pick another.
 */
export async function serve(port = DEFAULT_PORT, { fallback = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(root, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { ...HEADERS, 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, HEADERS).end('not found');
    }
  });
  for (let p = port, tries = 0; ; p++, tries++) {
    try {
      return await listen(server, p);
    } catch (e) {
      if (e.code === 'EADDRINUSE' && fallback && tries < 20) continue;
      if (e.code === 'EADDRINUSE') throw new Error(`playground: port ${p} is busy; choose another with PORT=<port> pnpm playground (or --port <port>; 0 picks any free port)`);
      if (e.code === 'EACCES') throw new Error(`playground: not allowed to listen on port ${p}; choose a port above 1023 with PORT=<port>`);
      throw e;
    }
  }
}

/** The port from `--port N` or PORT, or undefined for the default; a bad value is refused. */
function askedPort(argv, env) {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : env.PORT;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`playground: port must be an integer 0…65535, got '${raw}'`);
  return n;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  try {
    const asked = askedPort(process.argv.slice(2), process.env);
    const server = await serve(asked ?? DEFAULT_PORT, { fallback: asked === undefined });
    const { port } = server.address();
    const note = asked === undefined && port !== DEFAULT_PORT ? ` (port ${DEFAULT_PORT} was busy)` : '';
    console.log(`playground: http://127.0.0.1:${port}/${note}`);
  } catch (e) {
    console.error(e instanceof Error && e.message.startsWith('playground:') ? e.message : `playground: ${e}`);
    process.exit(1);
  }
}
