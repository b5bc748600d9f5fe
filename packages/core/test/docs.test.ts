import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { eventJsonSchema } from '../src/events.ts';

describe('published event schema', () => {
  it('docs/event-schema.json matches the schema the code validates with', () => {
    const published = JSON.parse(readFileSync(new URL('../../../docs/event-schema.json', import.meta.url), 'utf8'));
    assert.deepEqual(
      published,
      JSON.parse(JSON.stringify(eventJsonSchema())),
      'regenerate with: npx lifeguard schema > docs/event-schema.json',
    );
  });
});
