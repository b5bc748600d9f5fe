import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConversationLabels, readIdList } from '../src/input/labels.ts';
import type { InputIssue } from '../src/input/types.ts';
import { tempFile } from './helpers.ts';

describe('ground-truth files', () => {
  it('reads offender ids, ignoring blank lines, comments and surrounding spaces', async () => {
    const path = tempFile('ids.txt', '# offenders\n  abc123  \n\r\ndef456\r\nabc123\n');
    const ids = await readIdList(path, () => assert.fail('no issues expected'));
    assert.deepEqual([...ids].sort(), ['abc123', 'def456']);
  });

  it('reads conversation labels and names each bad line', async () => {
    const path = tempFile(
      'labels.jsonl',
      [
        '{"conversationId": "c1", "label": "harmful"}',
        '{"conversationId": "c2", "label": "maybe"}',
        '{"label": "benign"}',
        '{oops',
        '{"conversationId": "c3", "label": "benign", "note": "dismissed by reviewer 4"}',
      ].join('\n'),
    );
    const issues: InputIssue[] = [];
    const labels = await readConversationLabels(path, (i) => issues.push(i));
    assert.deepEqual(
      [...labels],
      [
        ['c1', 1],
        ['c3', 0],
      ],
    );
    assert.deepEqual(
      issues.map((i) => i.line),
      [2, 3, 4],
    );
    assert.match(issues[0]!.message, /label: expected "harmful" or "benign"/);
  });

  it('says which file is missing', async () => {
    await assert.rejects(
      readIdList('/nonexistent/ids.txt', () => {}),
      /\/nonexistent\/ids\.txt: file not found/,
    );
  });
});
