// Build the console and the driver page into ../api/static (committed, so that serving
// them needs no node): each page its app.js and index.html, both one common/ folder (the
// shared style sheet and Leaflet's). BUILD records a hash of the sources: a test fails
// when it is stale.
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
}
const common = join(OUT, 'common');
mkdirSync(common, { recursive: true });
copyFileSync('src/pages/style.css', join(common, 'style.css'));
copyFileSync('node_modules/leaflet/dist/leaflet.css', join(common, 'leaflet.css'));
copyFileSync('node_modules/leaflet/LICENSE', join(common, 'LEAFLET-LICENSE.txt'));
writeFileSync(join(OUT, 'BUILD'), `${sourceHash()}\n`);
console.log('built', OUT);
