// The messages both runs of the benchmark time, read in Node: the native
// benchmark's corpus when present (so both benchmarks time the same files),
// else `messages/` here, or the directory given on the command line.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The `.sip` files of `dir` (default as above) in name order, each as
 * `{ name, text }` (the bytes as Latin-1 text), and `source`, the directory
 * as the report names it.
 */
export function readMessages(dir) {
  const shared = path.join(here, '..', '..', 'crates', 'sip', 'benches', 'messages');
  const from = dir ?? (existsSync(shared) ? shared : path.join(here, 'messages'));
  const messages = readdirSync(from)
    .filter((file) => file.endsWith('.sip'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(from, name), 'latin1') }));
  return { source: path.relative(process.cwd(), from) || '.', messages };
}
