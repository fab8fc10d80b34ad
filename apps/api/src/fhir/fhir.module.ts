import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { PatientFindingModule } from '../pdqm/patient-finding.module';
import { IdentityServicesModule } from '@continuum/security/identity';
import { extractKickOff } from '@continuum/commissioning';
import { ExportModule } from '@continuum/export';
import compression from 'compression';
import { ContentNegotiationMiddleware } from './content-negotiation.middleware';
import { FhirBodyMiddleware } from './fhir-body.middleware';
import { FHIR_CONTROLLERS } from './fhir-controllers';
import { FHIR_ROUTES, fhirRouteTable } from './fhir-route.table';
import { FhirService } from './fhir.service';
import { PatientRecordService } from './patient-record.service';
import { RequestInputMiddleware } from './request-input.middleware';

/**
 * The FHIR R4 REST API under `/fhir`: interactions, `$everything`, `$summary`, Bulk Data `$export`, the CapabilityStatement and an
 * OpenAPI description. Its middleware (input checks, JSON only, gzip, FHIR body parsing, with the limits of
 * ApiLimitsConfig) applies to its routes alone.
 */
@Module({})
export class FhirModule implements NestModule {
  static forRoot(): DynamicModule {
    return {
      module: FhirModule,
      imports: [
        RouterModule.register([{ path: 'fhir', module: FhirModule }]),
        PatientFindingModule,
        IdentityServicesModule.forRoot(),
        ExportModule.forApi(),
      ],
      controllers: FHIR_CONTROLLERS,
      providers: [
        FhirService,
        PatientRecordService,
        extractKickOff,
        { provide: FHIR_ROUTES, useValue: fhirRouteTable(FHIR_CONTROLLERS) },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequestInputMiddleware, ContentNegotiationMiddleware, compression(), FhirBodyMiddleware)
      // By path, not by controller: a request matching two routes (a route and the fallback) must pass once.
      .forRoutes(
        { path: 'fhir', method: RequestMethod.ALL },
        { path: 'fhir/*path', method: RequestMethod.ALL },
      );
  }
}
