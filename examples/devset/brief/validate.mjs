import { readFileSync } from 'node:fs';
const file = process.argv[2];
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const errors = [];
const ids = new Set();
let harmful = 0,
  benign = 0;
lines.forEach((line, i) => {
  const at = `line ${i + 1}`;
  let c;
  try {
    c = JSON.parse(line);
  } catch (e) {
    errors.push(`${at}: not JSON (${e.message})`);
    return;
  }
  for (const k of ['id', 'writer', 'label', 'family', 'setting', 'participants', 'messages'])
    if (c[k] === undefined) errors.push(`${at}: missing ${k}`);
  if (ids.has(c.id)) errors.push(`${at}: duplicate id ${c.id}`);
  ids.add(c.id);
  if (c.label === 'harmful') harmful++;
  else if (c.label === 'benign') benign++;
  else errors.push(`${at}: label must be harmful or benign`);
  if (!Array.isArray(c.participants) || !Array.isArray(c.messages)) return;
  const pids = new Set();
  for (const p of c.participants) {
    if (!['offender', 'child', 'peer', 'adult'].includes(p.role)) errors.push(`${at}: bad role ${p.role}`);
    if (typeof p.trueAge !== 'number') errors.push(`${at}: ${p.id} trueAge must be a number`);
    if (!(p.accountAge === null || typeof p.accountAge === 'number'))
      errors.push(`${at}: ${p.id} accountAge must be a number or null`);
    if (!String(p.id).startsWith(`${c.writer}_`))
      errors.push(`${at}: participant id ${p.id} must start with ${c.writer}_`);
    pids.add(p.id);
  }
  const offenders = c.participants.filter((p) => p.role === 'offender').length;
  if (c.label === 'harmful' && offenders !== 1) errors.push(`${at}: harmful needs exactly one offender`);
  if (c.label === 'benign' && offenders !== 0) errors.push(`${at}: benign has no offender`);
  if (c.messages.length < 3 || c.messages.length > 60) errors.push(`${at}: ${c.messages.length} messages (3-60)`);
  c.messages.forEach((m, j) => {
    if (!pids.has(m.from)) errors.push(`${at} message ${j + 1}: from ${m.from} is not a participant`);
    if (typeof m.text !== 'string' || !m.text.trim() || m.text.length > 500)
      errors.push(`${at} message ${j + 1}: text must be 1-500 chars`);
    if (typeof m.gapMinutes !== 'number' || m.gapMinutes < 0)
      errors.push(`${at} message ${j + 1}: gapMinutes must be >= 0`);
    if (m.attachment !== undefined && !['image', 'video'].includes(m.attachment))
      errors.push(`${at} message ${j + 1}: attachment must be image or video`);
  });
});
console.log(`${lines.length} conversations: ${harmful} harmful, ${benign} benign`);
if (lines.length !== 110) errors.push(`expected 110 conversations, found ${lines.length}`);
if (errors.length) {
  console.log(errors.slice(0, 50).join('\n'));
  console.log(`${errors.length} errors`);
  process.exit(1);
}
console.log('ok');
