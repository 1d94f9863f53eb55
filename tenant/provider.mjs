// The local tenant's OpenID provider (tenant/server.mjs): oidc-provider configured the way an
// Auth0 tenant behaves for a first-party single-page application, and the custom token exchange
// grant Auth0 offers. What the HTTP layer adds on top (JSON bodies, /v2/logout, fault injection,
// the reuse interval) stays in server.mjs.
import crypto from 'node:crypto';
import { htmlEscape, page } from './util.mjs';
import { MFA_GRANTS } from './mfa.mjs';
import { PASSKEY_GRANT } from './passkey.mjs';

/** RFC 8693 token exchange, and the subject-token type of the tenant's test "external IdP". */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const EXTERNAL_TOKEN_TYPE = 'urn:test:external-token';

// oidc-provider drops offline_access unless prompt=consent (OIDC Core 11). Auth0 keeps it for
// first-party apps, so it is put back after the provider's own scope check, where the tenant's
// middleware (tenant/server.mjs) marked an /authorize request that asked for it
// (ctx.state.tenantWantsOfflineAccess).
function restoreOfflineAccess(ctx) {
  const want = ctx.state.tenantWantsOfflineAccess;
  const { params } = ctx.oidc;
  if (!want || !params) return;
  const scopes = new Set((params.scope || '').split(' ').filter(Boolean));
  if (!scopes.has('offline_access')) {
    scopes.add('offline_access');
    params.scope = [...scopes].join(' ');
  }
}

/**
 * The provider of one tenant. `cfg` is the tenant's live settings object (TTLs, rotation), read on
 * every request, so /__tenant/config changes apply at once.
 */
export function createProvider(Provider, { issuer, adapter, clientIds, redirectUris, postLogoutRedirectUris, signingJwk, user, cfg, allowedOrigins, dpop, myAccount, otherUser = () => undefined }) {
  const provider = new Provider(issuer, {
    adapter,
    clients: clientIds.map((id) => ({
      client_id: id,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE, ...Object.values(MFA_GRANTS), PASSKEY_GRANT],
      response_types: ['code'],
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris,
      id_token_signed_response_alg: 'RS256',
    })),
    jwks: { keys: [signingJwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      end_session: '/oidc/logout',
      revocation: '/oauth/revoke',
      jwks: '/.well-known/jwks.json',
      userinfo: '/userinfo',
      introspection: '/oauth/introspect',
      registration: '/oidc/register',
      pushed_authorization_request: '/oauth/par',
      device_authorization: '/oauth/device/code',
      code_verification: '/activate',
      backchannel_authentication: '/bc-authorize',
      challenge: '/oauth/challenge',
      credential: '/oauth/credential',
    },
    scopes: ['openid', 'offline_access', 'online_access', 'profile', 'email'],
    responseTypes: ['code'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'nickname', 'given_name', 'family_name', 'picture', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false, // Auth0 puts profile/email claims in the ID token
    // The test user, or one who signed up with a passkey (`otherUser`, tenant/passkey.mjs).
    findAccount: async (_ctx, sub) => {
      const claims = sub === user.sub ? user : otherUser(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ ...claims }) };
    },
    pkce: { required: () => true },
    // Online Refresh Tokens (Auth0's `online_access`): issued like offline ones, never rotated.
    rotateRefreshToken: (ctx) => cfg.rotation && !String(ctx.oidc.entities.RefreshToken?.scope || '').split(' ').includes('online_access'),
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || code.scopes.has('online_access')),
    clientBasedCORS: (_ctx, origin) => allowedOrigins.has(origin),
    // First-party application: consent is implied. The grant gets every requested scope, and a grant
    // revoked by reuse detection is replaced (Auth0 keeps the SSO session usable after a family revocation).
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      restoreOfflineAccess(ctx);
      const accountId = oidc.account?.accountId ?? oidc.session.accountId;
      const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      let grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== accountId || grant.clientId !== oidc.client.clientId) {
        grant = new provider.Grant({ accountId, clientId: oidc.client.clientId });
      }
      const scopes = [...oidc.requestParamOIDCScopes].join(' ');
      if (scopes) grant.addOIDCScope(scopes);
      const claims = [...oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      // The My Account API's scopes, for its audience (tenant/my-account.mjs).
      for (const [indicator, server] of Object.entries(oidc.resourceServers || {})) {
        const granted = [...oidc.requestParamScopes].filter((s) => server.scopes.has(s)).join(' ');
        if (granted) grant.addResourceScope(indicator, granted);
      }
      await grant.save();
      return grant;
    },
    ttl: {
      AccessToken: () => cfg.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: () => cfg.idTokenTtl,
      RefreshToken: (ctx, token, client) => {
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
        if (rotated && client.applicationType === 'web' && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
          return rotated.remainingTTL;
        }
        return cfg.refreshTokenTtl;
      },
      Session: 86400,
      Grant: () => Math.max(86400, cfg.refreshTokenTtl),
      Interaction: 600,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    features: {
      devInteractions: { enabled: false },
      webMessageResponseMode: { enabled: true, ack: 'individual-draft-01' },
      revocation: {
        enabled: true,
        // A public client may only revoke its own tokens; others are ignored (RFC 7009 §2.2 answers 200).
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // Auth0's `audience` is a resource indicator (RFC 8707); the one resource server here is the
      // My Account API at `{url}/me/` (tenant/my-account.mjs), whose opaque tokens carry its scopes.
      // The tenant's middleware turns `audience={url}/me/` on /authorize into `resource`.
      resourceIndicators: {
        enabled: true,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (myAccount && indicator === myAccount.audience) {
            return { scope: myAccount.scopes.join(' '), audience: indicator, accessTokenFormat: 'opaque', accessTokenTTL: cfg.accessTokenTtl };
          }
          const { errors } = await import('oidc-provider'); // loaded already (server.mjs)
          throw new errors.InvalidTarget();
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        // No confirmation UI: the form is submitted at once with logout=yes.
        logoutSource: async (ctx, form) => {
          ctx.body = page('Signing out', form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>'),
            'document.forms[0].submit()');
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>Signed out</h1>');
        },
      },
      dPoP: dpop ? {
        enabled: true,
        ...(dpop === 'nonce' ? { nonceSecret: crypto.randomBytes(32), requireNonce: () => true } : {}),
      } : { enabled: false },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Error</h1>${Object.entries(out).map(([k, v]) => `<pre><strong>${htmlEscape(k)}</strong>: ${htmlEscape(v)}</pre>`).join('')}`);
    },
  });
  provider.proxy = false;
  return provider;
}

/**
 * Custom token exchange (RFC 8693, as Auth0's Custom Token Exchange uses it). The tenant's
 * "external identity provider": a subject token `external:{sub}` of type EXTERNAL_TOKEN_TYPE
 * vouches for that user; anything else is invalid_grant. The answer is an access token and an ID
 * token for the user (and a refresh token with offline_access). `record` receives the types of
 * each request (never the tokens), for stats.tokenExchanges.
 */
export function registerTokenExchange(provider, { user, record }) {
  provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
    const p = ctx.oidc.params;
    record({ subjectTokenType: p.subject_token_type, actorTokenType: p.actor_token_type, hasActor: !!p.actor_token, audience: p.audience, scope: p.scope, organization: p.organization });
    const sub = typeof p.subject_token === 'string' && p.subject_token.startsWith('external:') ? p.subject_token.slice('external:'.length) : undefined;
    if (p.subject_token_type !== EXTERNAL_TOKEN_TYPE || sub !== user.sub) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: 'the subject token is not valid' };
      return;
    }
    const client = ctx.oidc.client;
    const scope = [...new Set(String(p.scope || 'openid').split(' ').filter((s) => ['openid', 'profile', 'email', 'offline_access'].includes(s)))].join(' ');
    const grant = new provider.Grant({ accountId: sub, clientId: client.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const at = new provider.AccessToken({ accountId: sub, client, grantId, gty: 'token_exchange', scope });
    if (p.actor_token) at.extra = { act: { sub: String(p.actor_token) } };
    const accessToken = await at.save();
    const idToken = new provider.IdToken({ ...user, sub }, { ctx });
    idToken.scope = scope;
    const body = { access_token: accessToken, token_type: 'Bearer', expires_in: at.expiration, id_token: await idToken.issue({ use: 'idtoken' }), scope };
    if (scope.split(' ').includes('offline_access')) {
      const rt = new provider.RefreshToken({ accountId: sub, client, grantId, gty: 'token_exchange', scope });
      body.refresh_token = await rt.save();
    }
    ctx.body = body;
  }, ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'scope', 'organization']);
}
