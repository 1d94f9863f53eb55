// The wasm-bindgen glue js/index.js imports (`./auth0_spa_wasm.js`), as js/index.js uses it: for
// the type check only (tsc -p js). The glue itself exists only after a build (pkg/, written by
// `wasm-pack build` in scripts/build.sh, with its own generated pkg/auth0_spa_wasm.d.ts), so this
// is the contract written at the top of js/index.js in TypeScript; src/wasm/ implements it.
// The full build's glue (js/full.js imports it too) declares the same class: both builds export
// every method, the lite one answering the full build's features with an error.
// Results are `any`: most are JSON text or a value, which js/index.js parses (`parsed`).
// scripts/build.sh checks, right after wasm-bindgen runs, that this declaration and the generated
// glue name the same methods with compatible signatures (scripts/glue-types.ts).

/** Loads and instantiates the .wasm once; js/index.js passes `wasmSource()` (js/wasm-source.js). */
export default function init(input: { module_or_path: unknown }): Promise<unknown>;

/** The Rust client behind js/index.js's `Auth0Client`; every argument named `json` is JSON text. */
export class WasmClient {
  /** Throws (synchronously) an error object for invalid options. */
  constructor(json: string, cache: object | undefined, nowProvider: Function | undefined);
  loginWithRedirect(json: string): Promise<any>;
  handleRedirectCallback(url: string): Promise<any>;
  loginWithPopup(json: string, popup: Window, configJson: string): Promise<any>;
  getTokenWithPopup(json: string, popup: Window, configJson: string): Promise<any>;
  getTokenSilently(json: string): Promise<any>;
  checkSession(json: string): Promise<any>;
  getUser(): Promise<any>;
  getIdTokenClaims(): Promise<any>;
  isAuthenticated(): Promise<any>;
  loginWithCustomTokenExchange(json: string): Promise<any>;
  customTokenExchange(json: string): Promise<any>;
  revokeRefreshToken(json: string): Promise<any>;
  logout(json: string): Promise<any>;
  /** connectAccountWithRedirect's steps (op 0, 1: a Promise) and the My Account API's base (op 2). */
  connect(op: number, json: string): any;
  /** getDpopNonce (op 0), setDpopNonce (1), generateDpopProof (2). */
  dpop(op: number, json: string): Promise<any>;
  /** client.mfa, client.passkey and client.anonymous: op 0 verify, 1 settings, 2 passkey grant. */
  mfa(op: number, json: string): Promise<any>;
  /** getTokenSilently's memoised hit for `json` as JSON text, or undefined (synchronous). */
  hitMemo(json: string): string | undefined;
  /** The cache generation, or -1 while another tab's logout waits (synchronous). */
  cacheGeneration(): number;
  /** The in-memory cache's entries as JSON text, or with a text, stores them (a move to the full module). */
  memoryEntries(load?: string | null): string | undefined;
}
