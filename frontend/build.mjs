// Build the console and the driver page into ../api/static (committed, so that serving
// them needs no node). BUILD records a hash of the sources: a test fails when it is stale.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = '../api/static';

export function sourceHash(root = '.') {
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(join(root, d)).sort()) {
      const p = join(d, n);
      if (statSync(join(root, p)).isDirectory()) walk(p); else files.push(p);
    }
  };
  walk('src');
  files.push('package-lock.json', 'build.mjs');
  const h = createHash('sha256');
  for (const f of files) { h.update(f.replaceAll('\\', '/') + '\0'); h.update(readFileSync(join(root, f))); h.update('\0'); }
  return h.digest('hex');
}

for (const page of ['console', 'driver']) {
  const dir = join(OUT, page);
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [`src/${page}/main.js`], bundle: true, format: 'esm', minify: true,
    target: ['chrome100', 'safari15', 'firefox100'], outfile: join(dir, 'app.js'), legalComments: 'eof',
  });
  copyFileSync(`src/pages/${page}.html`, join(dir, 'index.html'));
  copyFileSync('src/pages/style.css', join(dir, 'style.css'));
  copyFileSync('node_modules/leaflet/dist/leaflet.css', join(dir, 'leaflet.css'));
  copyFileSync('node_modules/leaflet/LICENSE', join(dir, 'LEAFLET-LICENSE.txt'));
}
writeFileSync(join(OUT, 'BUILD'), `${sourceHash()}\n`);
console.log('built', OUT);
