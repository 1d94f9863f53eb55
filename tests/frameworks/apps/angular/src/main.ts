// The Angular test app (tests/frameworks/README.md): an @auth0/auth0-angular app, unchanged. The
// test builds it twice with the Angular CLI (`ng build`, the application builder): once as it is,
// with @auth0/auth0-spa-js (the official SDK), and once with @auth0/auth0-spa-js aliased to
// auth0-spa-wasm by an npm override in the app's package.json, and runs the same login, renewal
// and logout on both.
import { Component, inject, signal } from '@angular/core';
import { AsyncPipe } from '@angular/common';
import { bootstrapApplication } from '@angular/platform-browser';
import { AuthService, provideAuth0 } from '@auth0/auth0-angular';
import { domain, clientId } from './config';

@Component({
  selector: 'app-root',
  imports: [AsyncPipe],
  template: `
    @let loading = auth.isLoading$ | async;
    @let signedIn = auth.isAuthenticated$ | async;
    @let failure = auth.error$ | async;
    <p id="status" [attr.data-state]="failure ? 'failed' : loading ? 'loading' : 'ready'">
      {{ failure ? failure : loading ? 'loading' : signedIn ? 'signed in' : 'signed out' }}
    </p>
    @if (auth.user$ | async; as user) {
      <section id="profile">
        <p id="email">{{ user.email }}</p>
        <p id="name">Hello, {{ user.name }}</p>
        <button id="renew" type="button" (click)="renew()">Get a token</button>
        <p id="token" [attr.data-count]="count()">{{ token() }}</p>
        <p id="failure">{{ renewFailure() }}</p>
        <button id="logout" type="button" (click)="logout()">Log out</button>
      </section>
    } @else {
      <section id="home">
        <button id="login" type="button" (click)="login()">Log in</button>
      </section>
    }
  `
})
class App {
  protected readonly auth = inject(AuthService);
  protected readonly token = signal('');
  protected readonly count = signal(0);
  protected readonly renewFailure = signal('');

  login() {
    this.auth.loginWithRedirect();
  }

  renew() {
    this.auth.getAccessTokenSilently().subscribe({
      next: (t) => {
        this.token.set(t ?? '');
        this.count.update((n) => n + 1);
      },
      error: (e) => this.renewFailure.set(String(e))
    });
  }

  logout() {
    this.auth.logout({ logoutParams: { returnTo: window.location.origin } });
  }
}

bootstrapApplication(App, {
  providers: [
    provideAuth0({
      domain,
      clientId,
      authorizationParams: { redirect_uri: window.location.origin },
      useRefreshTokens: true,
      cacheLocation: 'localstorage'
    })
  ]
}).catch((err) => console.error(err));
