import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Raised at boot when settings are missing or invalid; the message names each setting and what is wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Environment = Record<string, string | undefined>;
type ConfigClass<T> = new () => T;

/**
 * Builds a typed, validated config object from environment variables. Each config class maps its properties to
 * variable names with @Env (see config.schema.ts); nested sections are config classes themselves.
 */
export function loadConfig<T extends object>(schema: ConfigClass<T>, env: Environment = process.env): T {
  const plain = readSection(schema, env);
  const config = plainToInstance(schema, plain, { enableImplicitConversion: false });
  const errors = validateSync(config, { forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(describe(schema, errors));
  return config;
}

const ENV_NAMES = Symbol('continuum:env-names');
const SECTIONS = Symbol('continuum:sections');

interface EnvBinding {
  variable: string;
  parse: (raw: string) => unknown;
  fallback?: unknown;
}

/** Binds a property to an environment variable, with an optional parser and default. */
export function Env(variable: string, options: { parse?: (raw: string) => unknown; default?: unknown } = {}) {
  return (target: object, property: string) => {
    const bindings: Map<string, EnvBinding> = Reflect.getOwnMetadata(ENV_NAMES, target) ?? new Map();
    bindings.set(property, { variable, parse: options.parse ?? ((raw) => raw), fallback: options.default });
    Reflect.defineMetadata(ENV_NAMES, bindings, target);
  };
}

/** Marks a property as a nested config section of the given class. */
export function Section(sectionClass: () => ConfigClass<object>) {
  return (target: object, property: string) => {
    const sections: Map<string, () => ConfigClass<object>> = Reflect.getOwnMetadata(SECTIONS, target) ?? new Map();
    sections.set(property, sectionClass);
    Reflect.defineMetadata(SECTIONS, sections, target);
  };
}

function bindingsOf(schema: ConfigClass<object>): Map<string, EnvBinding> {
  return Reflect.getMetadata(ENV_NAMES, schema.prototype) ?? new Map();
}

export function sectionsOf(schema: ConfigClass<object>): Map<string, () => ConfigClass<object>> {
  return Reflect.getMetadata(SECTIONS, schema.prototype) ?? new Map();
}

function readSection(schema: ConfigClass<object>, env: Environment): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [property, binding] of bindingsOf(schema)) {
    const raw = env[binding.variable];
    if (raw === undefined || raw === '') plain[property] = binding.fallback;
    else {
      try {
        plain[property] = binding.parse(raw);
      } catch {
        plain[property] = raw; // left for the validator to refuse with the variable's name
      }
    }
  }
  for (const [property, sectionClass] of sectionsOf(schema)) {
    const section = sectionClass();
    plain[property] = plainToInstance(section, readSection(section, env));
  }
  return plain;
}

function describe(schema: ConfigClass<object>, errors: ValidationError[]): string[] {
  const problems: string[] = [];
  for (const error of errors) {
    const binding = bindingsOf(schema).get(error.property);
    if (error.children?.length) {
      const sectionClass = sectionsOf(schema).get(error.property);
      if (sectionClass) problems.push(...describe(sectionClass(), error.children));
      continue;
    }
    const name = binding?.variable ?? error.property;
    const value = error.value === undefined ? 'not set' : `got ${JSON.stringify(error.value)}`;
    const reasons = Object.values(error.constraints ?? {}).join('; ');
    problems.push(`${name}: ${reasons} (${value})`);
  }
  return problems;
}

/** Combines property decorators into one. */
export function applyDecorators(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => decorators.forEach((decorator) => decorator(target, property));
}
