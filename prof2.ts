import { SqliteStorage } from '@lifeguard/storage';
import { FamilyCentre } from './packages/service/src/family/familyCentre.ts';
import { Messages } from './packages/service/src/i18n/catalogue.ts';
import { DEFAULT_POLICY } from './packages/service/src/policy/policy.ts';
const s = new SqliteStorage({ path: ':memory:' });
await s.migrate();
const now = Date.now(); const DAY = 86400000;
await s.createTenant('b','b');
const ev: any[] = [{ type: 'account', id: 'at', time: now - 30*DAY, userId: 'teen', age: 15 }, { type: 'account', id: 'ap', time: now - 30*DAY, userId: 'parent', age: 45 }];
for (let i = 0; i < 2000; i++) { ev.push({ type: 'account', id: `a${i}`, time: now - 30*DAY, userId: `f${i}`, age: 15 }); ev.push({ type: 'contact', id: `c${i}`, time: now - (i%10===0?2:20)*DAY + i, action: 'friend_accept', actorId: 'teen', targetId: `f${i}` }); }
for (let i = 0; i < 50000; i++) { const f = `f${(i*7919)%2000}`; ev.push({ type: 'message', id: `m${i}`, time: now - 7*DAY + 60000 + Math.floor(i/50000*(7*DAY-120000)), conversationId: 'x'+f, senderId: i%2?'teen':f, recipientIds: [i%2?f:'teen'], text: 'hi' }); }
for (let i = 0; i < ev.length; i += 2000) await s.appendEvents('b', ev.slice(i, i+2000), now);
const fc = new FamilyCentre(s, DEFAULT_POLICY, new Messages());
const link = await s.createFamilyLink('b', { parentId: 'parent', teenId: 'teen', status: 'active', basis: 'consent', createdAt: now, acceptedAt: now, endedAt: null, endedBy: null });
for (let i = 0; i < 10; i++) await fc.view('b', link.id, 'parent', now);
const t = performance.now();
for (let i = 0; i < 50; i++) JSON.stringify(await fc.view('b', link.id, 'parent', now));
console.log('view+json', ((performance.now() - t) / 50).toFixed(1), 'ms');
