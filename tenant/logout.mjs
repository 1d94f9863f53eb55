// Auth0's /v2/logout on the local tenant (tenant/server.mjs): ends the tenant session and
// redirects to `returnTo` when it is an allowed logout URL (the client's, or the tenant-level list
// without client_id). oidc-provider's own end_session endpoint asks for confirmation; Auth0's does not.
import { errorPage, page } from './util.mjs';

/**
 * The /v2/logout handler of one tenant. `cfg.revokeOnLogout` is read on every request;
 * `onLogout` and `onGrantRevoked` count for the stats.
 */
export function createLogout({ provider, cfg, postLogoutRedirectUris, onLogout, onGrantRevoked }) {
  async function revokeGrant(grantId) {
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
      provider.Grant.adapter.destroy(grantId),
    ]);
    onGrantRevoked();
  }

  async function v2Logout(ctx) {
    onLogout();
    const clientIdParam = typeof ctx.query.client_id === 'string' ? ctx.query.client_id : undefined;
    const returnTo = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : undefined;
    let allowed;
    if (clientIdParam !== undefined) {
      const client = await provider.Client.find(clientIdParam);
      if (!client) return errorPage(ctx, 400, 'invalid_request', 'unknown client_id');
      allowed = client.postLogoutRedirectUris || [];
    } else {
      allowed = postLogoutRedirectUris; // tenant-level "Allowed Logout URLs"
    }
    if (returnTo !== undefined && !allowed.includes(returnTo)) {
      return errorPage(ctx, 400, 'invalid_request', `The "returnTo" querystring parameter "${returnTo}" is not defined as a valid URL in "Allowed Logout URLs".`);
    }

    const session = await provider.Session.get(ctx);
    if (cfg.revokeOnLogout && session.authorizations) {
      for (const { grantId } of Object.values(session.authorizations)) {
        if (grantId) await revokeGrant(grantId);
      }
    }
    if (!session.new) await session.destroy();
    const longOpts = { httpOnly: true, sameSite: 'lax', path: '/' };
    ctx.cookies.set(provider.cookieName('session'), null, longOpts);
    ctx.set('Cache-Control', 'no-store');

    const target = returnTo ?? (clientIdParam !== undefined ? allowed[0] : undefined);
    if (target) {
      // Location exactly as registered (Koa's redirect() would normalise 'http://h:p' to 'http://h:p/').
      ctx.status = 302;
      ctx.set('Location', target);
      ctx.type = 'text';
      ctx.body = `Redirecting to ${target}`;
      return undefined;
    }
    ctx.status = 200;
    ctx.type = 'html';
    ctx.body = page('Signed out', '<h1>Signed out</h1>');
    return undefined;
  }

  return { v2Logout };
}
