// The local tenant's storage for oidc-provider's models (tenant/server.mjs).
import { nowSeconds } from './util.mjs';

/**
 * Tenant-local in-memory storage for oidc-provider models. Replaces the package's development
 * adapter, whose store is process-global and capped at 1000 entries (a long benchmark could evict a
 * live session or grant). Entries expire by TTL; nothing is evicted by count.
 */
export function createStore() {
  const entries = new Map(); // `${model}:${id}` -> { payload, expiresAt }
  const uidIndex = new Map(); // session uid -> id
  const grantIndex = new Map(); // grantId -> Set of keys
  let ops = 0;

  function alive(key) {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) { remove(key); return undefined; }
    return e;
  }

  function remove(key) {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    const { payload } = e;
    if (payload.uid && uidIndex.get(payload.uid) === key) uidIndex.delete(payload.uid);
    if (payload.grantId) grantIndex.get(payload.grantId)?.delete(key);
  }

  function sweep() {
    ops += 1;
    if (ops % 500 !== 0) return;
    const now = Date.now();
    for (const [key, e] of entries) if (e.expiresAt <= now) remove(key);
    for (const [g, set] of grantIndex) if (set.size === 0) grantIndex.delete(g);
  }

  class TenantAdapter {
    constructor(model) { this.model = model; }

    key(id) { return `${this.model}:${id}`; }

    async upsert(id, payload, expiresIn) {
      sweep();
      const key = this.key(id);
      remove(key);
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + (expiresIn + 15) * 1000 : Infinity;
      entries.set(key, { payload, expiresAt });
      if (this.model === 'Session' && payload.uid) uidIndex.set(payload.uid, key);
      if (payload.grantId) {
        if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
        grantIndex.get(payload.grantId).add(key);
      }
    }

    async find(id) { return alive(this.key(id))?.payload; }

    async findByUid(uid) {
      const key = uidIndex.get(uid);
      return key ? alive(key)?.payload : undefined;
    }

    async findByUserCode() { return undefined; }

    async consume(id) {
      const e = alive(this.key(id));
      if (e) e.payload.consumed = nowSeconds();
    }

    /** Not part of the adapter interface: undoes consume() (used by the reuse-interval emulation). */
    unconsume(id) {
      const e = alive(this.key(id));
      if (e) delete e.payload.consumed;
    }

    async destroy(id) { remove(this.key(id)); }

    async revokeByGrantId(grantId) {
      const keys = grantIndex.get(grantId);
      if (!keys) return;
      for (const key of [...keys]) remove(key);
      grantIndex.delete(grantId);
    }
  }

  return { TenantAdapter, size: () => entries.size };
}
