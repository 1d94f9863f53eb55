// Anonymous sessions (auth0-spa-js 2.27/2.28, Early Access), written the way an
// @auth0/auth0-spa-js 2.28.3 user writes them. Type-checked like app.ts: against auth0-spa-wasm's
// declarations (tsconfig.json) and against the real @auth0/auth0-spa-js typings
// (tsconfig.auth0.json). Nothing here runs.
import { AnonymousSessionApiClient, AnonymousSessionClient, AnonymousSessionError, createAuth0Client } from 'auth0-spa-wasm';
import type {
  AnonymousGetTokenSilentlyOptions,
  AnonymousSession,
  AnonymousSessionClaims,
  AnonymousSessionErrorCode,
  Auth0ClientOptions,
  CreateAnonymousSessionOptions,
  GetAnonymousAccessTokenOptions
} from 'auth0-spa-wasm';

const options = {
  domain: 'tenant.example.com',
  clientId: 'abc',
  anonymousSessionsCacheMode: 'memory',
  createAnonymousSessionOnFailedSilentAuth: true
} satisfies Auth0ClientOptions;

export async function guestCart(): Promise<string> {
  const auth0 = await createAuth0Client(options);
  const anonymous: AnonymousSessionApiClient = auth0.anonymous;
  if (!anonymous.hasSession()) {
    const create: CreateAnonymousSessionOptions = { audience: 'https://cart.example.com', metadata: { source: 'landing' } };
    const session: AnonymousSession = await anonymous.createSession(create);
    const until: number | undefined = session.sessionTokenExpiresAt;
    console.log(session.sessionToken.length, session.expiresAt, until, session.scope);
  }
  const request: AnonymousGetTokenSilentlyOptions = { audience: 'https://cart.example.com', scope: 'read:cart' };
  try {
    const { accessToken, expiresAt, scope } = await anonymous.getTokenSilently(request);
    console.log(expiresAt, scope);
    const claims: AnonymousSessionClaims | null = anonymous.getClaims();
    console.log(claims);
    const transfer: string | null = await anonymous.mintTransferToken();
    console.log(transfer);
    return accessToken;
  } catch (e) {
    if (e instanceof AnonymousSessionError) {
      const code: AnonymousSessionErrorCode = e.code;
      if (code === 'session_expired') await anonymous.createSession();
      console.log(e.cause?.error_description);
    }
    await anonymous.logout();
    await auth0.loginWithRedirect();
    return '';
  }
}

export async function lowLevel(client: AnonymousSessionClient, sessionToken: string): Promise<AnonymousSession> {
  const renew: GetAnonymousAccessTokenOptions = { sessionToken, audience: 'https://cart.example.com' };
  const next = await client.getAccessToken(renew);
  const transfer: string | null = await client.mintTransferToken(next.sessionToken);
  console.log(transfer);
  await client.logout();
  return client.createSession({ scope: 'read:cart' });
}
