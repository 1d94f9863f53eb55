// The local tenant's command line (node tenant/server.mjs --help).
import { toArray } from './util.mjs';

/** The usage text of `--help`. */
export const USAGE = 'usage: node tenant/server.mjs [--port 3001] [--spa http://127.0.0.1:3000[,..]] [--client-id spa-test] [--extra-client-ids a,b]\n'
  + '  [--redirect-uris u1,u2] [--post-logout-uris u1,u2] [--access-token-ttl 60] [--id-token-ttl 3600] [--refresh-token-ttl 86400]\n'
  + '  [--no-rotation] [--reuse-interval 0] [--auto-login] [--revoke-on-logout] [--no-json-body] [--auth0-error-text] [--dpop true|nonce] [--issuer-host localhost] [--log]';

/** startTenant() options from command-line arguments; throws on an unknown or incomplete one. */
export function parseArgs(argv) {
  const opts = {};
  const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : undefined;
    if (!name) throw new Error(`unexpected argument ${arg}`);
    const next = () => {
      if (eq !== -1) return arg.slice(eq + 1);
      i += 1;
      if (i >= argv.length) throw new Error(`--${name} needs a value`);
      return argv[i];
    };
    switch (name) {
      case 'port': opts.port = Number(next()); break;
      case 'spa': opts.spa = [...toArray(opts.spa), ...list(next())]; break;
      case 'client-id': opts.clientId = next(); break;
      case 'extra-client-ids': opts.extraClientIds = list(next()); break;
      case 'redirect-uris': opts.redirectUris = list(next()); break;
      case 'post-logout-uris': opts.postLogoutRedirectUris = list(next()); break;
      case 'access-token-ttl': opts.accessTokenTtl = Number(next()); break;
      case 'refresh-token-ttl': opts.refreshTokenTtl = Number(next()); break;
      case 'id-token-ttl': opts.idTokenTtl = Number(next()); break;
      case 'issuer-host': opts.issuerHost = next(); break;
      case 'no-rotation': opts.rotation = false; break;
      case 'reuse-interval': opts.reuseInterval = Number(next()); break;
      case 'rotation': opts.rotation = next() !== 'false'; break;
      case 'auto-login': opts.autoLogin = true; break;
      case 'no-auto-login': opts.autoLogin = false; break;
      case 'revoke-on-logout': opts.revokeOnLogout = true; break;
      case 'no-json-body': opts.jsonBody = false; break;
      case 'auth0-error-text': opts.auth0ErrorText = true; break;
      case 'dpop': opts.dpop = next(); break;
      case 'log': opts.log = true; break;
      case 'help':
        opts.help = true; break;
      default: throw new Error(`unknown option --${name}`);
    }
  }
  return opts;
}
