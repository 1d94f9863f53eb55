// Connected accounts and the My Account API, written the way an @auth0/auth0-spa-js 2.28.3 user
// writes them. Type-checked like app.ts: against auth0-spa-wasm's declarations (tsconfig.json)
// and against the real @auth0/auth0-spa-js typings (tsconfig.auth0.json). Nothing here runs.
import { Auth0Client, ConnectError, GenericError, MyAccountApiClient, MyAccountApiError, ResponseType } from 'auth0-spa-wasm';
import type {
  AuthenticationMethod,
  CompleteResponse,
  ConnectAccountRedirectResult,
  EnrollmentChallengeResponse,
  Factor,
  RedirectConnectAccountOptions,
  RedirectLoginResult
} from 'auth0-spa-wasm';

interface Back {
  returnTo: string;
}

export async function connectedAccounts(auth0: Auth0Client): Promise<void> {
  const options: RedirectConnectAccountOptions<Back> = {
    connection: 'google-oauth2',
    scopes: ['openid', 'https://www.googleapis.com/auth/calendar.readonly'],
    authorization_params: { login_hint: 'alice@example.com' },
    redirectUri: `${window.location.origin}/connected`,
    appState: { returnTo: '/settings' }
  };
  await auth0.connectAccountWithRedirect(options);
  await auth0.connectAccountWithRedirect({ connection: 'github', openUrl: async (url) => window.location.replace(url) });

  try {
    const result = await auth0.handleRedirectCallback<Back>();
    if (result.response_type === ResponseType.ConnectCode) {
      const connected: ConnectAccountRedirectResult<Back> = result;
      const account: CompleteResponse = connected;
      console.log(account.id, account.connection, account.scopes, connected.appState?.returnTo);
    } else {
      const login: RedirectLoginResult<Back> = result;
      console.log(login.appState?.returnTo);
    }
  } catch (e) {
    if (e instanceof ConnectError) {
      console.error(e.error, e.error_description, e.connection, e.state, e.appState);
    } else if (e instanceof GenericError && e.error === 'missing_connect_code') {
      console.error(e.message);
    }
  }
}

export async function myAccount(auth0: Auth0Client): Promise<void> {
  const api: MyAccountApiClient = auth0.myAccount;
  const factors: Factor[] = await api.getFactors();
  const methods: AuthenticationMethod[] = await api.getAuthenticationMethods();
  const phones = await api.getAuthenticationMethods('phone');
  const one: AuthenticationMethod = await api.getAuthenticationMethod(methods[0].id);
  await api.updateAuthenticationMethod(one.id, { name: 'Work phone' });
  const started: EnrollmentChallengeResponse = await api.enrollmentChallenge({ type: 'totp' });
  await api.enrollmentVerify({ type: 'totp', location: started.location, auth_session: started.auth_session, otp_code: '123456' });
  try {
    await api.deleteAuthenticationMethod(one.id);
  } catch (e) {
    if (e instanceof MyAccountApiError) console.error(e.status, e.title, e.detail, e.type, e.validation_errors?.[0]?.detail);
  }
  const ticket = await api.connectAccount({ connection: 'github', redirect_uri: window.location.origin });
  const completed = await api.completeAccount({ auth_session: ticket.auth_session, connect_code: 'c', redirect_uri: window.location.origin });
  console.log(factors.length, phones.length, ticket.connect_uri, ticket.connect_params.ticket, completed.created_at);
}
