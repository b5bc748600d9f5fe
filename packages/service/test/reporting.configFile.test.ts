// The reporting configuration file: DSA Art. 18 recipients and the NCA API transport, with tokens
// read from the environment variables the file names, and mistakes named before the service starts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReportingFile } from '../src/reporting/configFile.ts';

describe('reporting configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-reporting-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (content: unknown) => {
    const p = join(dir, `reporting-${++n}.json`);
    writeFileSync(p, JSON.stringify(content));
    return p;
  };
  const provider = {
    name: 'Acme Social Ltd',
    service: 'Acme Chat',
    establishedIn: 'IE',
    contactName: 'Duty desk',
    contactEmail: 'duty@acme.example',
  };
  const nca = {
    registrationId: 'NCA-REG-0001',
    organisation: 'Acme Social Ltd',
    contactName: 'Trust and Safety',
    contactEmail: 'safety@acme.example',
    serviceName: 'Acme Chat',
    serviceUrl: 'https://acme.example',
    transport: { kind: 'https', url: 'https://nca-adapter.acme.example/reports', tokenEnv: 'NCA_TOKEN' },
  };

  it('reads police recipients and the NCA API transport, taking their tokens from the environment', () => {
    const config = loadReportingFile(
      file({
        nca,
        dsa: {
          provider,
          recipients: {
            IE: {
              name: 'An Garda Síochána',
              transport: { kind: 'https', url: 'https://intake.example/ie', tokenEnv: 'POLICE_IE_TOKEN' },
            },
            EUROPOL: { name: 'Europol', transport: { kind: 'export', dir: '/var/lib/lifeguard/dsa' } },
          },
          targetMinutes: { imminent: 0, other: 30 },
        },
      }),
      { POLICE_IE_TOKEN: 'secret-ie', NCA_TOKEN: 'secret-nca' },
    );
    assert.deepEqual(config.dsa?.recipients.IE?.transport, {
      kind: 'https',
      url: 'https://intake.example/ie',
      token: 'secret-ie',
    });
    assert.deepEqual(config.dsa?.recipients.EUROPOL?.transport, { kind: 'export', dir: '/var/lib/lifeguard/dsa' });
    assert.deepEqual(config.nca?.transport, {
      kind: 'https',
      url: 'https://nca-adapter.acme.example/reports',
      token: 'secret-nca',
    });
    assert.equal(config.dsa?.targetMinutes?.other, 30);
  });

  it('names each mistake: a missing token, a country outside the EU, police as a jurisdiction default', () => {
    assert.throws(
      () =>
        loadReportingFile(
          file({
            dsa: {
              provider,
              recipients: {
                IE: { name: 'Garda', transport: { kind: 'https', url: 'https://x.example', tokenEnv: 'NOPE' } },
              },
            },
          }),
          {},
        ),
      /dsa\.recipients\.IE\.transport\.tokenEnv: NOPE is not set/,
    );
    assert.throws(() => loadReportingFile(file({ nca }), {}), /nca\.transport\.tokenEnv: NCA_TOKEN is not set/);
    assert.throws(
      () => loadReportingFile(file({ dsa: { provider: { ...provider, establishedIn: 'GB' }, recipients: {} } }), {}),
      (err: Error) =>
        /dsa\.provider\.establishedIn/.test(err.message) &&
        /dsa\.recipients: name at least one police recipient/.test(err.message),
    );
    assert.throws(
      () => loadReportingFile(file({ jurisdictions: { DE: ['police'] } }), {}),
      /jurisdictions\.DE\[0\]/,
      'police notifications have their own route, not a jurisdiction default',
    );
  });
});
