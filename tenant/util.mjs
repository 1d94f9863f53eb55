// Small helpers of the local tenant (tenant/server.mjs): HTML pages, loopback origins, claim
// patches for fault injection, request bodies.

/** The largest request body the tenant reads (login form, token and revocation requests, hooks). */
const BODY_LIMIT = 56 * 1024;

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** `value` as text safe inside HTML elements and quoted attributes. */
export function htmlEscape(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A whole HTML page around `body` (and an inline `script`). */
export function page(title, body, script) {
  // Self-contained pages: no external fonts, styles or scripts (the tenant must make no request off the machine).
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26em;margin:3em auto;padding:0 1em}input{display:block;width:100%;margin:.3em 0 1em;padding:.4em;box-sizing:border-box}button{padding:.5em 1em;margin-right:.5em}.err{color:#b00020}pre{white-space:pre-wrap;word-break:break-word}</style>
</head>
<body>
${body}
${script ? `<script>${script}</script>` : ''}
</body>
</html>`;
}

/** Origins of a URL list, plus the 127.0.0.1 <-> localhost twin of each. */
export function withLoopbackTwins(urls) {
  const out = [];
  for (const u of urls) {
    out.push(u);
    if (u.includes('://127.0.0.1')) out.push(u.replace('://127.0.0.1', '://localhost'));
    else if (u.includes('://localhost')) out.push(u.replace('://localhost', '://127.0.0.1'));
  }
  return [...new Set(out)];
}

/** `value` as an array: [] for nothing, itself for an array, else [value]. */
export function toArray(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The time in whole seconds since the Unix epoch, as JWT claims count it. */
export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** Resolves `{"$now": n}` (seconds relative to now) inside a claim patch, so tests can express exp/iat in JSON. */
export function resolvePatchValue(value) {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value.$now === 'number') {
    return nowSeconds() + value.$now;
  }
  return value;
}

/** Sets (or, for null, deletes) each member of `patch` on `target`; `{"$now": n}` is now + n s. */
export function applyPatch(target, patch) {
  for (const [key, value] of Object.entries(patch || {})) {
    if (value === null) delete target[key];
    else target[key] = resolvePatchValue(value);
  }
  return target;
}

/** base64url of the JSON of `obj` (a JWT part). */
export function b64urlJson(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

/** The request body as text, at most BODY_LIMIT bytes (else it throws). */
export async function readRawBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers `ctx` with an HTML error page naming an OAuth error and its description. */
export function errorPage(ctx, status, error, description) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Error</h1><pre><strong>error</strong>: ${htmlEscape(error)}</pre><pre><strong>error_description</strong>: ${htmlEscape(description)}</pre>`);
}

/**
 * Answers a CORS preflight (`OPTIONS`) allowing `methods` and `headers`, cached for 10 minutes.
 * The caller has already set `Access-Control-Allow-Origin` for an allowed origin.
 */
export function answerPreflight(ctx, methods, headers) {
  ctx.set('Access-Control-Allow-Methods', methods);
  ctx.set('Access-Control-Allow-Headers', headers);
  ctx.set('Access-Control-Max-Age', '600');
  ctx.status = 204;
}
