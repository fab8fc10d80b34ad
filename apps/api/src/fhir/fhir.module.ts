import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import compression from 'compression';
import { ContentNegotiationMiddleware } from './content-negotiation.middleware';
import { DEFAULT_MAX_BODY_BYTES, FHIR_MAX_BODY_BYTES, FhirBodyMiddleware } from './fhir-body.middleware';
import { FHIR_CONTROLLERS } from './fhir-controllers';
import { FHIR_ROUTES, fhirRouteTable } from './fhir-route.table';
import { FhirService } from './fhir.service';
import { PatientRecordService } from './patient-record.service';

export interface FhirModuleOptions {
  /** Largest accepted request body in bytes (default 10 MiB); larger ones get a 413 OperationOutcome. */
  maxBodyBytes?: number;
}

/**
 * The FHIR R4 REST API under `/fhir`: interactions, `$everything`, `$summary`, the CapabilityStatement and an
 * OpenAPI description. Its middleware (JSON only, gzip, FHIR body parsing) applies to its routes alone.
 */
@Module({})
export class FhirModule implements NestModule {
  static forRoot(options: FhirModuleOptions = {}): DynamicModule {
    return {
      module: FhirModule,
      imports: [RouterModule.register([{ path: 'fhir', module: FhirModule }])],
      controllers: FHIR_CONTROLLERS,
      providers: [
        FhirService,
        PatientRecordService,
        { provide: FHIR_ROUTES, useValue: fhirRouteTable(FHIR_CONTROLLERS) },
        { provide: FHIR_MAX_BODY_BYTES, useValue: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ContentNegotiationMiddleware, compression(), FhirBodyMiddleware)
      // By path, not by controller: a request matching two routes (a route and the fallback) must pass once.
      .forRoutes(
        { path: 'fhir', method: RequestMethod.ALL },
        { path: 'fhir/*path', method: RequestMethod.ALL },
      );
  }
}
