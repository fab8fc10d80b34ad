import { parseScopes } from './smart-scope.parser';

const letters = (scope: string) =>
  parseScopes(scope).grants.map(
    (grant) => `${grant.context}/${grant.resourceType}.${[...grant.interactions].join('')}`,
  );

describe('SMART scope parsing', () => {
  it('reads v2 permission letters in cruds order', () => {
    expect(letters('patient/Observation.rs user/*.cruds system/Patient.r')).toEqual([
      'patient/Observation.rs',
      'user/*.cruds',
      'system/Patient.r',
    ]);
  });

  it('maps the v1 read, write and * forms to v2 letters', () => {
    expect(letters('patient/*.read user/Observation.write system/*.*')).toEqual([
      'patient/*.rs',
      'user/Observation.cud',
      'system/*.cruds',
    ]);
  });

  it('notes launch/patient and ignores what grants nothing, parameterised v2 scopes included', () => {
    const parsed = parseScopes(
      'openid launch/patient patient/Observation.rs?category=laboratory user/x.rs user/*.sr',
    );
    expect(parsed.launchPatient).toBe(true);
    expect(parsed.grants).toEqual([]);
    expect(parsed.ignored).toEqual([
      'openid',
      'patient/Observation.rs?category=laboratory',
      'user/x.rs',
      'user/*.sr',
    ]);
  });
});
