import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeEvidence, type CaseEvidence } from '../src/cases/caseManager.ts';

describe('case evidence merging', () => {
  it('keeps evidence added by other writers (known-image matches) when detector evidence arrives', () => {
    const media = [{ bank: 'ncmec', kind: 'pdq', distance: 4 }];
    const previous = { alerts: [], actor: null, conversations: {}, participants: [], media } as unknown as CaseEvidence;
    const next: CaseEvidence = { alerts: [], actor: null, conversations: {}, participants: [] };
    const merged = mergeEvidence(previous, next) as CaseEvidence & { media?: unknown };
    assert.deepEqual(merged.media, media);
  });
});
