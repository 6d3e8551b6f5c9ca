// A small static file server for the built app (dist/), used by the demo and
// the end-to-end tests. It sends the page's Content-Security-Policy as an HTTP
// header too, so that frame-ancestors (which a <meta> cannot carry) applies.
//
//   node scripts/serve.mjs [DIR] [PORT] [HOST]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** Reads the policy from the page's CSP meta tag. */
function pagePolicy(html) {
  const m = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  return m ? `${m[1]}; frame-ancestors 'none'` : null;
}

/** Starts serving `dir`; resolves to the listening server. */
export async function serveStatic(dir, { port = 8080, host = '127.0.0.1' } = {}) {
  const root = resolve(dir);
  const index = await readFile(join(root, 'index.html'), 'utf8');
  const policy = pagePolicy(index);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      if (path === '/' || !(await stat(file).catch(() => null))?.isFile()) {
        file = join(root, 'index.html'); // the app routes on the client
      }
      const body = await readFile(file);
      const headers = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      };
      if (policy) headers['Content-Security-Policy'] = policy;
      res.writeHead(200, headers).end(body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  return server;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir = 'dist', port = '8080', host = '127.0.0.1'] = process.argv.slice(2);
  const server = await serveStatic(dir, { port: Number(port), host });
  const { port: bound } = server.address();
  console.log(`serving ${dir} on http://${host === '127.0.0.1' ? 'localhost' : host}:${bound}/`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
