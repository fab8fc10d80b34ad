import { LaunchStoreModule } from '@continuum/store/launch';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { SmallBodyMiddleware } from './small-body.middleware';
import { SmartAuthorizationServer } from './smart-authorization.server';
import { SmartController } from './smart.controller';

/**
 * Continuum as the SMART authorization server for the EHR launch: its own small bodies (a form for the token
 * endpoint, JSON for the launch registration), since the API parses FHIR bodies only under /fhir.
 */
@Module({
  imports: [LaunchStoreModule.forRoot()],
  controllers: [SmartController],
  providers: [SmartAuthorizationServer],
})
export class SmartModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(SmallBodyMiddleware)
      .forRoutes(
        { path: 'auth/token', method: RequestMethod.POST },
        { path: 'auth/launch', method: RequestMethod.POST },
      );
  }
}
