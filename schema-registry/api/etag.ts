/** Whether an `If-None-Match` header names `etag` (weak or strong): the artifact has not changed, answer 304. */
export function ifNoneMatch(header: string | undefined, etag: string) {
  return header?.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag) ?? false;
}
