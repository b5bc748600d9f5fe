// A node:test reporter for scripts/test.mjs: one JSON line per skipped test or suite (name, file, reason),
// because node's own summary counts neither the tests inside a skipped suite nor the suite itself.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || event.data.skip === undefined) continue;
    const { name, file, skip, details } = event.data;
    yield `${JSON.stringify({ name, file, suite: details?.type === 'suite', reason: skip === true ? 'skipped' : String(skip) })}\n`;
  }
}
