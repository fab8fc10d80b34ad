import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { loadConfig } from './config-loader';

type ConfigClass = new () => object;

/**
 * Validates an app's config schema once, at boot, and provides the whole config object and each of its sections
 * (e.g. DatabaseConfig) for injection. Business code receives typed config and never reads process.env.
 */
@Global()
@Module({})
export class ContinuumConfigModule {
  static forRoot(schema: ConfigClass, env: Record<string, string | undefined> = process.env): DynamicModule {
    const config = loadConfig(schema, env) as Record<string, unknown>;
    const sectionProviders: Provider[] = Object.values(config)
      .filter((section): section is object => typeof section === 'object' && section !== null)
      .map((section) => ({ provide: section.constructor, useValue: section }));
    const providers: Provider[] = [{ provide: schema, useValue: config }, ...sectionProviders];
    return { module: ContinuumConfigModule, providers, exports: providers };
  }
}
