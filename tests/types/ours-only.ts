// Checked only against auth0-spa-wasm's declarations (tsconfig.json): code from apps written for
// earlier auth0-spa-js 2.x releases, which the newest auth0-spa-js typings reject but ours accept,
// and mistakes our declarations must still reject.
import {
  Auth0Client,
  createAuth0Client,
  GenericError,
  PopupTimeoutError,
  RefreshTokenMode,
  ResponseType,
  TimeoutError
} from 'auth0-spa-wasm';
import type { Auth0ClientOptions, RedirectLoginResult } from 'auth0-spa-wasm';

export async function olderApp(): Promise<void> {
  // auth0-spa-js <= 2.22 style: a variable typed as the options interface.
  const options: Auth0ClientOptions = { domain: 'tenant.auth0.com', clientId: 'abc', useRefreshTokens: true };
  const auth0 = await createAuth0Client(options);

  // auth0-spa-js <= 2.5 typed the callback result as RedirectLoginResult. With connected accounts
  // implemented it is the union of auth0-spa-js 2.6+ here too, so such code narrows first.
  const either = await auth0.handleRedirectCallback<{ to: string }>();
  // @ts-expect-error the result may be an account connection's (auth0-spa-js 2.6+)
  const unnarrowed: RedirectLoginResult<{ to: string }> = either;
  if (either.response_type === ResponseType.Code) {
    const result: RedirectLoginResult<{ to: string }> = either;
    console.log(result.appState?.to, unnarrowed);
  }

  const mode: RefreshTokenMode = RefreshTokenMode.Offline;
  const timeout: TimeoutError = new PopupTimeoutError(window);
  const generic: GenericError = timeout;
  console.log(mode, generic.error);

  // @ts-expect-error clientId is required
  new Auth0Client({ domain: 'tenant.auth0.com' });
  // @ts-expect-error not a cache location
  new Auth0Client({ domain: 'd', clientId: 'c', cacheLocation: 'session' });
  // @ts-expect-error getUser is asynchronous
  const name: string | undefined = auth0.getUser()?.name;
  // @ts-expect-error openUrl: true is not allowed (false or a function)
  await auth0.logout({ openUrl: true });
  // @ts-expect-error cacheMode values are fixed
  await auth0.getTokenSilently({ cacheMode: 'sometimes' });
  console.log(name);

  // auth0-spa-wasm's own: logout that also revokes the refresh tokens at the server.
  await auth0.logout({ revokeRefreshTokens: true, openUrl: false });
}
