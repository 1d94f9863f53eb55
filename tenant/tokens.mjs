// Tokens for the tenant's own grants (the MFA grants, tenant/mfa.mjs; the passkey grant,
// tenant/passkey.mjs): what oidc-provider issues for an authorization code, made by hand for a
// user the grant has established.

/** The scopes the tenant's grants issue (OIDC ones; the rest of a request is ignored). */
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/**
 * The token response of a grant that logged `sub` in: an access token and an ID token (`claims`)
 * for the requested `scope` (its OIDC scopes; `openid` when none), and a refresh token with
 * `offline_access`. `gty` names the grant in the tokens. `ctx` is oidc-provider's grant context.
 */
export async function issueTokens(provider, ctx, { sub, claims, scope, gty }) {
  const client = ctx.oidc.client;
  const granted = [...new Set(String(scope || 'openid').split(' ').filter((s) => OIDC_SCOPES.includes(s)))].join(' ');
  const grant = new provider.Grant({ accountId: sub, clientId: client.clientId });
  grant.addOIDCScope(granted);
  const grantId = await grant.save();
  const at = new provider.AccessToken({ accountId: sub, client, grantId, gty, scope: granted });
  const accessToken = await at.save();
  const idToken = new provider.IdToken({ ...claims, sub }, { ctx });
  idToken.scope = granted;
  const body = { access_token: accessToken, token_type: 'Bearer', expires_in: at.expiration, id_token: await idToken.issue({ use: 'idtoken' }), scope: granted };
  if (granted.split(' ').includes('offline_access')) {
    const rt = new provider.RefreshToken({ accountId: sub, client, grantId, gty, scope: granted });
    body.refresh_token = await rt.save();
  }
  return body;
}
