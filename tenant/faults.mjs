// Fault injection of the local tenant (tenant/server.mjs): rules that tests post to
// /__tenant/faults, each matching requests to one endpoint and changing or delaying the answer
// (README "Tests", docs/security-cases.md §3).
import crypto from 'node:crypto';
import { applyPatch, b64urlJson, sleep } from './util.mjs';

/** Fault targets and the request path each one matches. */
export const FAULT_TARGETS = {
  authorize: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  revoke: '/oauth/revoke',
  jwks: '/.well-known/jwks.json',
  discovery: '/.well-known/openid-configuration',
  logout: '/v2/logout',
};

/** The fault target of a request path, or undefined. */
export function targetOf(path) {
  for (const [target, p] of Object.entries(FAULT_TARGETS)) if (p === path) return target;
  return undefined;
}

/** A fault rule checked and normalised; throws a TypeError naming what is wrong. */
export function normalizeFault(input) {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new TypeError('a fault must be an object');
  const f = { ...input };
  if (!Object.hasOwn(FAULT_TARGETS, f.target)) throw new TypeError(`fault.target must be one of ${Object.keys(FAULT_TARGETS).join(', ')}`);
  if (f.count !== undefined && f.count !== null && !(Number.isInteger(f.count) && f.count > 0)) throw new TypeError('fault.count must be a positive integer (omit for permanent)');
  if (f.count === null) delete f.count;
  if (f.delayMs !== undefined && !(Number.isFinite(f.delayMs) && f.delayMs >= 0)) throw new TypeError('fault.delayMs must be >= 0');
  if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) throw new TypeError('fault.status must be an HTTP status');
  if (f.body !== undefined && typeof f.body !== 'string') f.body = JSON.stringify(f.body);
  return f;
}

/**
 * The tenant's fault rules. `onApplied` is called each time one is used.
 * @param {() => void} onApplied
 */
export function createFaults(onApplied) {
  let rules = [];
  return {
    /** A copy of the rules. */
    list() { return JSON.parse(JSON.stringify(rules)); },
    /** Replaces every rule ([] clears). */
    replace(list) { rules = list.map(normalizeFault); },
    /** Adds one rule. */
    add(rule) { rules.push(normalizeFault(rule)); },
    /** Removes every rule. */
    clear() { rules = []; },
    /** Finds (and consumes one use of) the first fault rule matching this request. */
    take(target, info) {
      const idx = rules.findIndex((f) => f.target === target
        && (f.grantType === undefined || f.grantType === info.grantType)
        && (f.prompt === undefined || f.prompt === info.prompt)
        && (f.responseMode === undefined || f.responseMode === info.responseMode));
      if (idx === -1) return undefined;
      const fault = rules[idx];
      if (typeof fault.count === 'number') {
        fault.count -= 1;
        if (fault.count <= 0) rules.splice(idx, 1);
      }
      onApplied();
      return fault;
    },
  };
}

/**
 * What a fault does to an answer: rewrites of a token response (a re-signed or altered ID token,
 * dropped members, a patched body), a status or body of its own, a delay, or no answer at all.
 * @param {{ privateKey: crypto.KeyObject, setCors: (ctx: any) => void }} deps
 */
export function createResponseFaults({ privateKey, setCors }) {
  const hanging = new Set();

  /** Holds the request open until the client goes away or the tenant stops. */
  function hang(ctx) {
    return new Promise((resolve) => {
      const done = () => { hanging.delete(done); resolve(); };
      hanging.add(done);
      ctx.req.once('close', done);
    });
  }

  /** The ID token with the fault's header and claim patches, signed again (or badly, or not). */
  function resignIdToken(jwt, fault) {
    const parts = String(jwt).split('.');
    if (parts.length !== 3) return jwt;
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    applyPatch(header, fault.idTokenHeader);
    applyPatch(payload, fault.idTokenClaims);
    const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    let sig;
    if (fault.idTokenSignature === 'none' || header.alg === 'none') sig = '';
    else {
      sig = crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url');
      if (fault.idTokenSignature === 'invalid') sig = `${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    }
    return `${input}.${sig}`;
  }

  /** Answers with the fault alone, the request never reaching oidc-provider (`process: false`). */
  async function answerUnprocessed(ctx, fault) {
    setCors(ctx);
    ctx.status = 200;
    ctx.body = {};
    await applyResponseFault(ctx, fault);
  }

  /** Applies a fault's response rewrites to a finished (or skipped) handler. */
  async function applyResponseFault(ctx, fault) {
    if (fault.idTokenClaims || fault.idTokenHeader || fault.idTokenSignature || fault.dropRefreshToken || fault.dropIdToken || fault.bodyPatch) {
      if (ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body) && ctx.status < 300) {
        const body = { ...ctx.body };
        if (body.id_token && (fault.idTokenClaims || fault.idTokenHeader || fault.idTokenSignature)) {
          body.id_token = resignIdToken(body.id_token, fault);
        }
        if (fault.dropRefreshToken) delete body.refresh_token;
        if (fault.dropIdToken) delete body.id_token;
        applyPatch(body, fault.bodyPatch);
        ctx.body = body;
      }
    }
    if (fault.status !== undefined) ctx.status = fault.status;
    if (fault.body !== undefined) {
      ctx.body = fault.body;
      ctx.type = fault.contentType || 'application/json';
    }
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.hang) await hang(ctx);
  }

  return {
    hang,
    answerUnprocessed,
    applyResponseFault,
    /** Lets every hung request finish (the tenant is stopping). */
    releaseHanging() { for (const release of [...hanging]) release(); },
  };
}
