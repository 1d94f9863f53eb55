// The local tenant's counters (tenant/server.mjs): what tests and the benchmark read through
// GET /__tenant/stats. No secrets: token requests are counted by type, never recorded.

/** A fresh set of counters. */
export function newStats() {
  return {
    startedAt: new Date().toISOString(),
    authorize: { total: 0, byPrompt: {}, byResponseMode: {} },
    token: { total: 0, byGrantType: {}, byStatus: {}, byContentType: {} },
    refreshTokenReuse: 0,
    reuseWithinInterval: 0,
    grantErrors: {},
    grantsRevoked: 0,
    logins: 0,
    logout: 0,
    endSession: 0,
    revocation: 0,
    tokenExchanges: [],
    userinfo: 0,
    jwks: 0,
    discovery: 0,
    faultsApplied: 0,
    requests: [],
  };
}

/** Adds one to `map[key]` ('unknown' for an empty key). */
export function bump(map, key) {
  const k = key === undefined || key === null || key === '' ? 'unknown' : String(key);
  map[k] = (map[k] || 0) + 1;
}
