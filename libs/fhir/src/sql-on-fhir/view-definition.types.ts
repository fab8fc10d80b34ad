/** The SQL on FHIR v2 ViewDefinition as JSON (https://sql-on-fhir.org/ig/StructureDefinition-ViewDefinition.html). */
export interface ViewDefinition {
  resourceType?: 'ViewDefinition';
  id?: string;
  url?: string;
  version?: string;
  name?: string;
  title?: string;
  status?: string;
  resource: string;
  fhirVersion?: string[];
  constant?: ViewConstant[];
  select: ViewSelect[];
  where?: ViewWhere[];
}

/** A named constant: `name` and exactly one `value[x]`. */
export interface ViewConstant {
  name: string;
  [valueX: string]: unknown;
}

export interface ViewWhere {
  path: string;
  description?: string;
}

export interface ViewColumn {
  name: string;
  path: string;
  description?: string;
  collection?: boolean;
  type?: string;
  tag?: { name: string; value: string }[];
}

export interface ViewSelect {
  column?: ViewColumn[];
  select?: ViewSelect[];
  forEach?: string;
  forEachOrNull?: string;
  repeat?: string[];
  unionAll?: ViewSelect[];
}

/** One output row: column name → value (a FHIR primitive as JSON, an array for `collection` columns, or null). */
export type ViewRow = Record<string, unknown>;

/** A column of the view's output, in output order. */
export interface ViewColumnInfo {
  name: string;
  type?: string;
  collection: boolean;
}
