// Bundle sizes of the framework test apps, each on this package and on the official wrapper:
//
//   bash scripts/build.sh && node tests/frameworks/sizes.mjs [--json]
//
// Builds the six apps exactly as tests/frameworks/frameworks.test.mjs does (apps.mjs) and prints
// a Markdown table of what each app's page downloads at start (index.html's .js and .css and their
// static imports, and the lite wasm build's chunk; raw / gzip -9 / brotli q11), the difference, and
// what this package's apps load only on first use (the full wasm build, client.mfa's and
// myAccount's chunks). Also writes
// test-output/framework-sizes.json and .md. Takes about a minute on 2 cores (mostly `ng build`).
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  REPO, FRAMEWORKS, FLAVOURS, packPackage, prepareApps, buildApp, outDir, bundleSizes, sdkMarks, installedVersion,
} from './apps.mjs';

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** Builds every app under a fresh folder of test-output/ and measures it. */
export async function measure({ log = () => {} } = {}) {
  const work = path.join(REPO, 'test-output', `framework-sizes-${process.pid}`);
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(work, { recursive: true });
  try {
    const tarball = await packPackage(work);
    await prepareApps(work, tarball, { domain: 'https://tenant.example.com', clientId: 'client-id' });
    const rows = [];
    for (const framework of FRAMEWORKS) {
      const row = { framework };
      for (const flavour of FLAVOURS) {
        const { ms } = await buildApp(work, framework, flavour);
        const dir = outDir(work, framework, flavour);
        row[flavour] = { ...(await bundleSizes(dir)), buildMs: ms, marks: await sdkMarks(dir) };
        log(`${framework} ${flavour}: ${kib(row[flavour].gzip)} gzip (built in ${ms} ms)`);
      }
      rows.push(row);
    }
    return rows;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** The Markdown table of `rows`. */
export function table(rows) {
  const official = { react: '@auth0/auth0-react', vue: '@auth0/auth0-vue', angular: '@auth0/auth0-angular' };
  const lines = [
    '| app | official wrapper: raw / gzip / brotli | auth0-spa-wasm: raw / gzip / brotli | gzip difference | auth0-spa-wasm, loaded on first use (gzip) |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const o = r.official;
    const w = r.ours;
    const d = w.gzip - o.gzip;
    lines.push(`| ${r.framework} (${official[r.framework]} ${installedVersion(official[r.framework])}) | `
      + `${kib(o.raw)} / ${kib(o.gzip)} / ${kib(o.brotli)} | ${kib(w.raw)} / ${kib(w.gzip)} / ${kib(w.brotli)} | `
      + `${d >= 0 ? '+' : '−'}${kib(Math.abs(d))} (${(w.gzip / o.gzip).toFixed(2)}×) | ${kib(w.later.gzip)} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const rows = await measure({ log: (m) => console.error(`[sizes] ${m}`) });
  for (const r of rows) {
    if (!r.ours.marks.wasm || r.ours.marks.spaJs) throw new Error(`${r.framework}: the app on this package does not carry this package alone: ${JSON.stringify(r.ours.marks)}`);
    if (r.official.marks.wasm || !r.official.marks.spaJs) throw new Error(`${r.framework}: the official app does not carry auth0-spa-js alone: ${JSON.stringify(r.official.marks)}`);
  }
  const md = table(rows);
  await fs.mkdir(path.join(REPO, 'test-output'), { recursive: true });
  await fs.writeFile(path.join(REPO, 'test-output', 'framework-sizes.json'), JSON.stringify(rows, null, 2));
  await fs.writeFile(path.join(REPO, 'test-output', 'framework-sizes.md'), `${md}\n`);
  console.log(process.argv.includes('--json') ? JSON.stringify(rows, null, 2) : md);
}
