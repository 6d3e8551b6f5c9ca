// Trunk post-build hook: replaces __CSP_SCRIPT_HASHES__ in the staged
// index.html with the SHA-256 hashes of its inline <script> elements, so the
// Content-Security-Policy admits Trunk's loader and no other inline script.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk hook)');
  process.exit(1);
}
const file = join(staging, 'index.html');
const html = readFileSync(file, 'utf8');
const inline = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;
const hashes = [...html.matchAll(inline)].map(
  ([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
);
if (!html.includes('__CSP_SCRIPT_HASHES__')) {
  console.error('csp.mjs: index.html has no __CSP_SCRIPT_HASHES__ placeholder');
  process.exit(1);
}
writeFileSync(file, html.replace('__CSP_SCRIPT_HASHES__', hashes.join(' ')));
console.log(`csp.mjs: ${hashes.length} inline script hash(es) in the Content-Security-Policy`);
