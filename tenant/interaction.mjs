// The local tenant's login pages (tenant/server.mjs): oidc-provider hands every interaction (a
// login, or consent for a first-party app) to /interaction/{uid}; the test user signs in with the
// form, or at once with autoLogin.
import querystring from 'node:querystring';
import { errorPage, htmlEscape, page, readRawBody } from './util.mjs';

/**
 * The interaction routes of one tenant: `handle(ctx)` answers /interaction/... and says whether it
 * did. `cfg.autoLogin` is read on every request; `onLogin` counts successful logins.
 */
export function createInteractions({ provider, cfg, user, password, onLogin }) {
  function loginForm(uid, message) {
    return page('Sign in', `<h1>Sign in</h1>
  ${message ? `<p class="err" id="error">${htmlEscape(message)}</p>` : ''}
  <form method="post" action="/interaction/${htmlEscape(uid)}/login" autocomplete="off">
  <label>Email<input id="username" name="email" type="email" value="${htmlEscape(user.email)}" autofocus></label>
  <label>Password<input id="password" name="password" type="password" value="${htmlEscape(password)}"></label>
  <button id="login" type="submit">Continue</button>
  </form>
  <form method="post" action="/interaction/${htmlEscape(uid)}/abort"><button id="cancel" type="submit">Cancel</button></form>`);
  }

  async function finishLogin(ctx) {
    onLogin();
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }

  async function interactionRoutes(ctx) {
    const m = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(ctx.path);
    if (!m) return false;
    const [, uid, action] = m;
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      if (!action && ctx.method === 'GET') {
        if (details.prompt.name === 'login') {
          if (cfg.autoLogin) await finishLogin(ctx);
          else { ctx.type = 'html'; ctx.set('Cache-Control', 'no-store'); ctx.body = loginForm(uid); }
        } else {
          // Any other prompt (consent): first-party app, accept what was asked.
          const grant = details.grantId ? await provider.Grant.find(details.grantId)
            : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
          const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
          if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
          if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
          const grantId = await grant.save();
          ctx.respond = false;
          await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        }
        return true;
      }
      if (ctx.method === 'POST' && action === 'login') {
        const form = querystring.parse(await readRawBody(ctx.req));
        if (form.email === user.email && form.password === password) {
          await finishLogin(ctx);
        } else {
          ctx.status = 200;
          ctx.type = 'html';
          ctx.body = loginForm(uid, 'Wrong email or password.');
        }
        return true;
      }
      if (ctx.method === 'POST' && action === 'abort') {
        ctx.respond = false;
        await provider.interactionFinished(ctx.req, ctx.res, {
          error: 'access_denied', error_description: 'End-User aborted interaction',
        }, { mergeWithLastSubmission: false });
        return true;
      }
      errorPage(ctx, 405, 'invalid_request', 'method not allowed');
      return true;
    } catch (err) {
      if (ctx.respond === false) throw err;
      errorPage(ctx, 400, err.error || 'invalid_request', err.error_description || err.message);
      return true;
    }
  }

  return { handle: interactionRoutes };
}
