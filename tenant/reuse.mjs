// Auth0's "rotation overlap period" (reuse interval) on the local tenant (tenant/server.mjs).
// oidc-provider has no grace window: any reuse revokes the grant. With reuseInterval > 0 the
// immediately previous refresh token of a family may be exchanged again within that many seconds
// of its first use (a new token is issued); any older token, or a later reuse, still trips reuse
// detection.
import { nowSeconds } from './util.mjs';

/**
 * The reuse-interval emulation of one tenant. `cfg.reuseInterval` is read on every request;
 * `onReuse` counts each reuse it let through.
 */
export function createReuseInterval({ provider, adapterFor, cfg, onReuse }) {
  const families = new Map(); // grantId -> { latest, previous } refresh-token ids
  const locks = new Map(); // key -> tail promise

  /** Runs `fn` after every earlier call with the same key has finished (one at a time per key). */
  async function withLock(key, fn) {
    const previous = locks.get(key) ?? Promise.resolve();
    let release;
    const mine = new Promise((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    locks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (locks.get(key) === tail) locks.delete(key);
    }
  }

  /** Lets the refresh token `value` be used once more when it is its family's previous token and
   *  its first use was at most reuseInterval seconds ago. */
  async function allowReuseWithinInterval(value) {
    if (typeof value !== 'string' || !value) return;
    let rt;
    try { rt = await provider.RefreshToken.find(value, { ignoreExpiration: true }); } catch { rt = undefined; }
    if (!rt || !rt.consumed) return;
    const family = families.get(rt.grantId);
    if (family && family.previous === rt.jti && nowSeconds() - rt.consumed <= cfg.reuseInterval) {
      adapterFor('RefreshToken').unconsume(rt.jti);
      onReuse();
    }
  }

  /** Remembers the newest refresh token of a family and the one it replaced. */
  function recordRotation(grantId, latest, previous) {
    families.set(grantId, { latest, previous });
  }

  return { withLock, allowReuseWithinInterval, recordRotation };
}
