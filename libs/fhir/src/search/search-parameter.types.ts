/** The R4 search parameter types (SearchParameter.type). */
export type SearchParamType =
  'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

/** One component of a composite search parameter: a sub-expression evaluated on each composite root node. */
export interface CompositeComponentDef {
  /** The code of the search parameter this component refers to (e.g. `code`, `value-quantity`). */
  code: string;
  type: SearchParamType;
  expression: string;
}

/** A search parameter as it applies to one resource type: its FHIRPath restricted to that type. */
export interface SearchParamDef {
  resourceType: string;
  code: string;
  type: SearchParamType;
  url: string;
  /** FHIRPath restricted to this resource type (the union terms of other types removed); absent for `_text` etc. */
  expression?: string;
  /** Resource types a reference parameter may point at. */
  targets: string[];
  components: CompositeComponentDef[];
  /** Top-level elements the expression reads (choice elements by their stem: `value`), when it only reads those. */
  rootElements?: string[];
}
