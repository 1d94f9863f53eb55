// A no-op SDK with the same entry point, served as /sdk/index.js for the cold-start baseline of
// figure (b): what a page costs before any real SDK work (module fetch, parse, one await).
export async function createAuth0Client() {
  return {};
}
