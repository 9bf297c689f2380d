/**
 * The most bytes a cookie's `name=value` may take. RFC 6265bis §5.6 has user agents drop a
 * cookie whose name and value exceed 4096 octets (§6.1 Limits); we count the `=` too. Every
 * size check on a cookie (the serializer, the cookie store, the sealer's read cap) uses this.
 */
export const MAX_COOKIE_BYTES = 4096;
