/** Content ids: how versions, fixtures and blobs are named (`sha256:` and 64 hex digits). */

/** A content id: `sha256:` followed by 64 lowercase hex digits. */
export type ContentId = `sha256:${string}`;

const CONTENT_ID = /^sha256:[0-9a-f]{64}$/;

/** True for a well-formed full content id. */
export function isContentId(value: unknown): value is ContentId {
  return typeof value === 'string' && CONTENT_ID.test(value);
}

/** The first 12 hex digits, for display (`sha256:1a2b3c4d5e6f`). */
export function shortId(id: string): string {
  return id.startsWith('sha256:') ? id.slice(0, 7 + 12) : id;
}
