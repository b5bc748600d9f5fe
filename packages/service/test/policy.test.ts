import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY, loadPolicyFile, parsePolicy, PolicyError, profileFor } from '../src/index.ts';
import { REPO_ROOT } from '../src/tools/generated.ts';

function problemsOf(text: string, file = 'policy.json'): string[] {
  try {
    parsePolicy(text, file);
  } catch (err) {
    assert.ok(err instanceof PolicyError, 'a PolicyError is thrown');
    return err.problems;
  }
  assert.fail('expected the policy to be refused');
}

const valid = JSON.stringify(DEFAULT_POLICY, null, 2);

/** The policy's shape loosened, so that a test can write values the schema refuses. */
interface BrokenPolicy {
  defaultProfile: string;
  countries: Record<string, string>;
  profiles: Record<string, Record<string, unknown>>;
}

describe('policy file', () => {
  it('accepts the shipped example, which matches the built-in default', () => {
    const shipped = loadPolicyFile(join(REPO_ROOT, 'examples/policies/default.json'));
    const { $schema: _schema, ...rest } = shipped;
    assert.deepEqual(rest, DEFAULT_POLICY);
  });

  it('names the line of a JSON syntax error', () => {
    const text = valid.replace('"childUnder": 18,', '"childUnder": 18,,');
    const line = valid.split('\n').findIndex((l) => l.includes('"childUnder"')) + 1;
    const [problem] = problemsOf(text);
    assert.match(problem!, new RegExp(`^policy\\.json:${line}:\\d+: not valid JSON`));
  });

  it('names the file, line and field of a value of the wrong type', () => {
    const text = valid.replace('"supportivePrompts": true', '"supportivePrompts": "yes"');
    const line = valid.split('\n').findIndex((l) => l.includes('"supportivePrompts"')) + 1;
    assert.deepEqual(problemsOf(text, 'uk.json'), [
      `uk.json:${line}: profiles.uk.supportivePrompts: Invalid input: expected boolean, received string`,
    ]);
  });

  it('names unknown fields and missing required ones', () => {
    const text =
      '{\n  "version": 1,\n  "defaultProfile": "uk",\n  "countries": {},\n  "profiles": {},\n  "colour": "red"\n}';
    assert.deepEqual(problemsOf(text), [
      'policy.json:3: defaultProfile: no profile named "uk" (profiles: none)',
      'policy.json:6: colour: unknown field',
    ]);
    assert.deepEqual(problemsOf('{\n  "version": 1\n}'), [
      'policy.json:1: defaultProfile: required field is missing',
      'policy.json:1: countries: required field is missing',
      'policy.json:1: profiles: required field is missing',
    ]);
  });

  it('refuses a default profile or country mapping that points nowhere, and thresholds out of order', () => {
    const broken = structuredClone(DEFAULT_POLICY) as unknown as BrokenPolicy;
    broken.defaultProfile = 'mars';
    broken.countries.FR = 'nowhere';
    broken.profiles.eu!.riskySender = { warnAt: 0.9, holdAt: 0.5, blockAt: 0.7 };
    const problems = problemsOf(JSON.stringify(broken, null, 2));
    assert.ok(
      problems.some((p) => /defaultProfile: no profile named "mars"/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /countries\.FR: no profile named "nowhere"/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /profiles\.eu\.riskySender: thresholds must satisfy/.test(p)),
      problems.join('\n'),
    );
  });

  it('refuses a help resource that is not https, and a repeated key', () => {
    const text = valid.replace('"url": "https://www.childline.org.uk"', '"url": "http://www.childline.org.uk"');
    assert.ok(
      problemsOf(text).some((p) => /helpResources\[0\]\.url: must be an https:\/\/ URL/.test(p)),
      'the http URL is named',
    );
    const dup = '{\n "version": 1,\n "version": 1,\n "defaultProfile": "uk", "countries": {}, "profiles": {}\n}';
    assert.ok(
      problemsOf(dup).includes('policy.json:3: version: appears twice'),
      'the repeated key is named with its line',
    );
  });

  it('says when the file cannot be read', () => {
    assert.throws(
      () => loadPolicyFile('/nonexistent/policy.json'),
      (err: PolicyError) => /cannot read the file \(ENOENT\)/.test(err.problems[0]!),
    );
  });

  it('loads a valid file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeguard-policy-'));
    const custom = structuredClone(DEFAULT_POLICY);
    custom.profiles.uk!.strangerMessagesToChildren = 'hold';
    writeFileSync(join(dir, 'p.json'), JSON.stringify(custom));
    assert.equal(loadPolicyFile(join(dir, 'p.json')).profiles.uk!.strangerMessagesToChildren, 'hold');
  });

  it('maps countries to profiles in any case and falls back to the default', () => {
    assert.equal(profileFor(DEFAULT_POLICY, 'de').name, 'eu');
    assert.equal(profileFor(DEFAULT_POLICY, 'GB').name, 'uk');
    assert.equal(profileFor(DEFAULT_POLICY, 'US').name, 'uk');
    assert.equal(profileFor(DEFAULT_POLICY, null).name, 'uk');
  });
});
