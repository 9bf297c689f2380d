/**
 * `sessionkit/ring`: Kit and Ring interop. `ringCookieStore` reads and writes Ring's
 * cookie-store sessions byte for byte; `parseEdn` and `stringifyEdn` map the EDN they hold to
 * TypeScript values and back.
 *
 * @example
 * import { ringCookieStore } from 'sessionkit/ring';
 * const app = wrapSession({ store: ringCookieStore({ key: process.env.COOKIE_SECRET! }), cookieName: 'myapp' })(handler);
 */
export { ringCookieStore } from './stores/ring/ring-cookie-store.ts';
export type {
  RingCookieStore,
  RingCookieStoreOptions,
  RingInspection,
} from './stores/ring/ring-cookie-store.ts';
export type { RingFailure } from './stores/ring/ring-seal.ts';
export { parseEdn } from './stores/ring/edn-read.ts';
export type { EdnReadOptions } from './stores/ring/edn-read.ts';
export { stringifyEdn } from './stores/ring/edn-write.ts';
export type { EdnWriteOptions } from './stores/ring/edn-write.ts';
export { ednToJson } from './stores/ring/edn-json.ts';
export {
  EdnChar,
  EdnDecimal,
  EdnInst,
  EdnKeyword,
  EdnRatio,
  EdnSymbol,
  EdnUuid,
} from './stores/ring/edn-values.ts';
export type { EdnValue } from './stores/ring/edn-values.ts';
