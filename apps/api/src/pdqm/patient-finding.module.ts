import { PatientCandidatesModule } from '@continuum/search';
import { Module } from '@nestjs/common';
import { PatientFindingService } from './patient-finding.service';

/** Patient finding (PDQm) for the API, on Elasticsearch's patient candidates (read-only, short timeout). */
@Module({
  imports: [PatientCandidatesModule],
  providers: [PatientFindingService],
  exports: [PatientFindingService, PatientCandidatesModule],
})
export class PatientFindingModule {}
