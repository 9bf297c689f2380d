/**
 * The most bytes a cookie's `name=value` may take. RFC 6265bis §5.6 has user agents drop a
 * cookie whose name and value exceed 4096 octets (§6.1 Limits); we count the `=` too. Every
 * size check on a cookie (the serializer, the cookie store, the sealer's read cap) uses this.
 */
export const MAX_COOKIE_BYTES = 4096;

/**
 * The deepest nesting of arrays and objects sessionkit accepts in JSON: a request body nested
 * deeper is refused with 400 before it is parsed, session data nested deeper is
 * `unserializable_session` (security cases Q-08, C-14). 100 levels, the `max_nesting` of
 * Ruby's JSON, is far more than any form or session needs, and little enough that nothing
 * recursive over it can exhaust the stack or take long.
 */
export const MAX_JSON_DEPTH = 100;
