/** SMART v2 interactions: create, read, update, delete, search. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeContext = 'patient' | 'user' | 'system';

export interface ScopeGrant {
  context: ScopeContext;
  /** A resource type, or `*` for every type (AuditEvent excepted: see access-context.ts). */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

export interface ParsedScopes {
  grants: ScopeGrant[];
  /** `launch/patient` was granted: the token carries a `patient` claim to restrict to. */
  launchPatient: boolean;
  /** Scopes that grant nothing here (OpenID, unknown forms, v2 scopes with search parameters). */
  ignored: string[];
}

const ORDER: Interaction[] = ['c', 'r', 'u', 'd', 's'];
const V1: Record<string, Interaction[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ORDER,
};
const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)$/;

/**
 * Parses a space-separated SMART scope string (v1 `read`/`write`/`*` and v2 `cruds` forms). v2 scopes narrowed by
 * search parameters (`patient/Observation.rs?category=...`) are ignored rather than widened: they grant nothing.
 */
export function parseScopes(scope: string): ParsedScopes {
  const parsed: ParsedScopes = { grants: [], launchPatient: false, ignored: [] };
  for (const item of scope.split(/\s+/).filter(Boolean)) {
    if (item === 'launch/patient') {
      parsed.launchPatient = true;
      continue;
    }
    const match = SCOPE.exec(item);
    const interactions = match ? permissions(match[3]) : undefined;
    if (!match || !interactions) {
      parsed.ignored.push(item);
      continue;
    }
    parsed.grants.push({
      context: match[1] as ScopeContext,
      resourceType: match[2],
      interactions: new Set(interactions),
    });
  }
  return parsed;
}

/** `rs` → [r, s]; v2 letters must be in `cruds` order, each at most once. */
function permissions(text: string): Interaction[] | undefined {
  if (V1[text]) return V1[text];
  const letters = [...text] as Interaction[];
  const positions = letters.map((letter) => ORDER.indexOf(letter));
  const ordered = positions.every((position, i) => position >= 0 && (i === 0 || position > positions[i - 1]));
  return letters.length && ordered ? letters : undefined;
}
