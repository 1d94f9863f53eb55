// Keeps the benchmark runnable: npm test does not run the benchmark itself (minutes, noisy),
// but this checks that `node bench/run.mjs --quick` still starts the tenant, the servers and
// Chromium, measures one figure (b, cold start) for auth0-spa-js, and for this SDK either
// measures it too (dist/ built) or says clearly that it is not built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function runBench(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/run.mjs', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    // SIGTERM first (the bench stops its servers and browser); SIGKILL if that is not enough.
    const timer = setTimeout(() => {
      out += `\n[test] bench still running after ${timeoutMs} ms: SIGTERM\n`;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10000).unref();
    }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

test('the benchmark rejects an unknown figure with exit code 2', async () => {
  const { code, out } = await runBench(['--only', 'z'], 20000);
  assert.equal(code, 2, out);
  assert.match(out, /unknown figure z/);
});

test('the quick benchmark measures the cold start of auth0-spa-js and reports this SDK measured or not built', { timeout: 180000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-quick-'));
  try {
    const { code, out } = await runBench(['--quick', '--out', dir], 170000);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'quick.json'), 'utf8'));
    const md = fs.readFileSync(path.join(dir, 'quick.md'), 'utf8');
    assert.equal(code, 0, `bench exited ${code}:\n${out.slice(-4000)}`);
    assert.deepEqual(json.errors, []);
    assert.ok(json.date && json.command.includes('--quick'));

    const spa = json.figures.b.results['auth0-spa-js'];
    assert.equal(spa.samples.length, 2);
    assert.ok(spa.samples.every((ms) => ms > 0 && ms < 10000), `implausible cold starts ${spa.samples}`);
    assert.match(md, /\| b \| cold start/);

    const ours = json.sdks.find((s) => s.id === 'wasm');
    if (ours.status === 'not built') {
      assert.match(md, /not built/);
      assert.equal(json.figures.b.results.wasm, undefined);
    } else {
      assert.equal(ours.status, 'measured');
      assert.equal(json.figures.b.results.wasm.samples.length, 2);
      assert.equal(typeof json.figures.b.ratio, 'number');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
