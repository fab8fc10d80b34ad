import { badRequest } from '@continuum/fhir';

/**
 * Where a search page starts, as a `_page` link parameter: the keyset cursors of the pages walked so far (the last
 * one is this page's). Keyset cursors keep paging correct while data changes (no offsets that shift); keeping the
 * earlier ones gives `previous` links without a reverse search. Only the last MAX_DEPTH are kept, so a deep page's
 * link stays short; walking back past them ends the `previous` chain instead of landing on a wrong page.
 */
export interface SearchPage {
  cursors: string[];
  /** True when older cursors were dropped: the first kept one is not page 2. */
  truncated: boolean;
}

const MAX_DEPTH = 20;

export const FIRST_PAGE: SearchPage = { cursors: [], truncated: false };

export function currentCursor(page: SearchPage): string | undefined {
  return page.cursors[page.cursors.length - 1];
}

export function nextPage(page: SearchPage, cursor: string): SearchPage {
  const cursors = [...page.cursors, cursor];
  const drop = Math.max(0, cursors.length - MAX_DEPTH);
  return { cursors: cursors.slice(drop), truncated: page.truncated || drop > 0 };
}

/** The page before, or undefined on the first page or when the chain was truncated. */
export function previousPage(page: SearchPage): SearchPage | undefined {
  if (page.cursors.length === 0) return undefined;
  const cursors = page.cursors.slice(0, -1);
  if (cursors.length === 0 && page.truncated) return undefined;
  return { cursors, truncated: page.truncated };
}

export function encodePage(page: SearchPage): string | undefined {
  if (page.cursors.length === 0) return undefined;
  return Buffer.from(JSON.stringify([page.truncated ? 1 : 0, ...page.cursors])).toString('base64url');
}

/** `_page` (ours) or a bare `_cursor` (as the store's bundle searches link), else the first page. */
export function decodePage(token: string | undefined, cursor: string | undefined): SearchPage {
  if (token === undefined) return cursor ? { cursors: [cursor], truncated: true } : FIRST_PAGE;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length < 2) throw new Error('short');
    const [flag, ...cursors] = parsed as unknown[];
    if (!cursors.every((c): c is string => typeof c === 'string')) throw new Error('cursor');
    return { cursors, truncated: flag === 1 };
  } catch {
    throw badRequest(`Invalid _page '${token}'`, ['_page']);
  }
}
