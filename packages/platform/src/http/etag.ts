import { PreconditionFailedError, PreconditionRequiredError } from '../errors/app-error.js';

/** The strong ETag of a resource version. */
export function formatEtag(version: number): string {
  return `"${version}"`;
}

/** An `If-Match` as the services judge it: none, `*`, or the versions it names. */
export type IfMatch = 'any' | number[] | undefined;

/**
 * Reads `If-Match`: undefined when absent, 'any' for `*`, otherwise the versions it names.
 * A value naming no version we could have issued matches nothing.
 */
export function parseIfMatch(header: string | undefined): IfMatch {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return 'any';
  const versions: number[] = [];
  for (const part of header.split(',')) {
    const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(part);
    if (match?.[1]) versions.push(Number(match[1]));
  }
  return versions;
}

/** Throws 412 when `If-Match` was given and does not name `currentVersion`. */
export function assertIfMatch(ifMatch: 'any' | number[] | undefined, currentVersion: number): void {
  if (ifMatch === undefined || ifMatch === 'any') return;
  if (!ifMatch.includes(currentVersion)) throw new PreconditionFailedError();
}

/** Throws 428 when `If-Match` is absent. */
export function requireIfMatch(ifMatch: 'any' | number[] | undefined): 'any' | number[] {
  if (ifMatch === undefined) throw new PreconditionRequiredError();
  return ifMatch;
}
