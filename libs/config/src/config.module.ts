import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { loadConfig, sectionsOf } from './config-loader';

type ConfigClass = new () => object;

/**
 * Validates an app's config schema once, at boot, and provides the whole config object and each of its sections
 * (e.g. DatabaseConfig) for injection. Business code receives typed config and never reads process.env.
 * Validation runs while Nest builds the module graph, so a bad setting stops the app before anything connects.
 */
@Global()
@Module({})
export class ContinuumConfigModule {
  static forRoot(schema: ConfigClass, env: Record<string, string | undefined> = process.env): DynamicModule {
    const sectionProviders: Provider[] = [...sectionsOf(schema)].map(([property, sectionClass]) => ({
      provide: sectionClass(),
      useFactory: (config: Record<string, unknown>) => config[property],
      inject: [schema],
    }));
    const providers: Provider[] = [{ provide: schema, useFactory: () => loadConfig(schema, env) }, ...sectionProviders];
    return { module: ContinuumConfigModule, providers, exports: providers };
  }
}
