// An @auth0/auth0-angular app. With @auth0/auth0-spa-js resolved to this package's declarations
// (tsconfig.angular.json, skipLibCheck off) TypeScript checks auth0-angular's own declaration file
// against ours: every name it imports from @auth0/auth0-spa-js must exist with a usable shape. The
// same app against the real auth0-spa-js (tsconfig.angular.official.json) proves it is a genuine
// one. Nothing here runs; `tsc --noEmit` only. (tests/frameworks builds and runs an Angular app.)
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideRouter, type Routes } from '@angular/router';
import {
  AuthService,
  AuthGuard,
  authGuardFn,
  authHttpInterceptorFn,
  provideAuth0,
  GenericError,
  MfaRequiredError,
  MfaVerifyError,
  PasskeyError,
  MyAccountApiError,
  isFederatedDomain,
  type AuthConfig,
  type AppState,
  type User,
  type IdToken
} from '@auth0/auth0-angular';
import { map, type Observable } from 'rxjs';

@Component({ selector: 'app-root', template: '' })
class App {
  private readonly auth = inject(AuthService);
  readonly email$: Observable<string | undefined> = this.auth.user$.pipe(map((u: User | null | undefined) => u?.email));
  readonly claims$: Observable<IdToken | null | undefined> = this.auth.idTokenClaims$;

  login(): void {
    const appState: AppState = { target: '/orders' };
    this.auth.loginWithRedirect({ appState, authorizationParams: { prompt: 'login' } });
  }
  token(): void {
    this.auth.getAccessTokenSilently({ authorizationParams: { audience: 'https://api.example.com' } }).subscribe({
      next: (t: string | undefined) => console.log(t),
      error: (e: unknown) => {
        if (e instanceof MfaRequiredError) console.log(e.mfa_token);
        else if (e instanceof MfaVerifyError || e instanceof GenericError) console.log(e.error);
        else if (e instanceof PasskeyError) console.log(e.code);
        else if (e instanceof MyAccountApiError) console.log(e.status);
      }
    });
  }
  logout(): void {
    this.auth.logout({ logoutParams: { returnTo: window.location.origin } });
  }
  async sso(domain: string): Promise<boolean> {
    return isFederatedDomain('tenant.eu.auth0.com', domain);
  }
}

const config: AuthConfig = {
  domain: 'tenant.eu.auth0.com',
  clientId: 'abc123',
  authorizationParams: { redirect_uri: window.location.origin, audience: 'https://api.example.com' },
  useRefreshTokens: true,
  cacheLocation: 'localstorage',
  httpInterceptor: { allowedList: ['/api/*'] }
};
const routes: Routes = [
  { path: 'orders', component: App, canActivate: [authGuardFn] },
  { path: 'old', component: App, canActivate: [AuthGuard] }
];

bootstrapApplication(App, {
  providers: [provideRouter(routes), provideHttpClient(withInterceptors([authHttpInterceptorFn])), provideAuth0(config)]
}).catch((err: unknown) => console.error(err));
