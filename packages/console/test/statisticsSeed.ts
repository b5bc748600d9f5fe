// A year of invented moderation history for the statistics page (browser test and screenshot): cases
// opened each month in a few countries, decisions some hours later, appeals, and reports to NCMEC, the
// NCA and the police. Written straight into the store, as the engine, the console and the report
// worker would have left it; deterministic, so a run gives the same picture each time.
import { newId, type AuthorityReportRecord, type CaseRecord, type Storage } from '@lifeguard/storage';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: a small seeded generator, so the history is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = ['GB', 'GB', 'US', 'US', 'US', 'DE', 'IE', null] as const;
const KINDS = ['conversation', 'conversation', 'actor', 'sextortion'] as const;
const RUNGS = ['warn', 'warn', 'restrict', 'suspend', 'ban', 'dismiss', 'dismiss'] as const;

export async function seedStatistics(storage: Storage, tenantId: string, now = Date.now(), months = 12): Promise<void> {
  const rnd = random(20260401);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const system = { system: 'lifeguard' };
  const specialist = { id: 'seed-specialist', name: 'Jordan Lee', role: 'specialist' as const };
  for (let m = months - 1; m >= 0; m--) {
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - m, 1);
    const n = 5 + ((months - m) % 5) + Math.floor(rnd() * 6);
    for (let i = 0; i < n; i++) {
      const openedAt = Math.min(now - 2 * DAY, monthStart + Math.floor(rnd() * 27 * DAY));
      const country = pick(COUNTRIES);
      const accusedId = `seed-${m}-${i}`;
      const c: CaseRecord = {
        id: newId('case'),
        tenantId,
        accusedId,
        status: 'open',
        level: 'high',
        score: 0.8,
        conversationIds: [],
        evidence: {
          alerts: [{ kind: pick(KINDS) }],
          participants: [
            { userId: accusedId, country },
            { userId: `${accusedId}-child`, country },
          ],
          ...(rnd() < 0.1 ? { media: [{ kind: 'md5' }] } : {}),
        },
        openedAt,
        updatedAt: openedAt,
        version: 1,
      };
      await storage.saveCase(tenantId, {
        caseRecord: c,
        history: { at: openedAt, actor: 'lifeguard', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
      });
      const rung = pick(RUNGS);
      const decidedAt = openedAt + Math.floor((1 + rnd() * 30) * HOUR);
      await storage.appendAudit(tenantId, {
        at: decidedAt,
        actor: specialist,
        action: 'case.decision',
        caseId: c.id,
        targetId: null,
        details: { action: rung },
      });
      if (rung !== 'dismiss' && rnd() < 0.12) {
        const appealedAt = decidedAt + 2 * DAY;
        await storage.appendAudit(tenantId, {
          at: appealedAt,
          actor: system,
          action: 'case.appeal',
          caseId: c.id,
          targetId: null,
          details: {},
        });
        await storage.appendAudit(tenantId, {
          at: appealedAt + DAY,
          actor: specialist,
          action: 'case.decision',
          caseId: c.id,
          targetId: null,
          details: { action: rnd() < 0.5 ? 'dismiss' : rung },
        });
      }
      if (rung === 'dismiss' || rnd() > 0.45) continue;
      const authorities: AuthorityReportRecord['authority'][] =
        country === 'GB' ? ['nca'] : country === 'DE' || country === 'IE' ? ['police'] : ['ncmec'];
      if (country === 'GB' && rnd() < 0.4) authorities.push('ncmec');
      for (const authority of authorities) {
        const createdAt = decidedAt + Math.floor(rnd() * 6 * HOUR);
        const filedAt = createdAt + Math.floor((0.2 + rnd() * 20) * HOUR);
        const priority = authority === 'police' ? 1 : rnd() < 0.2 ? 1 : 2;
        const report: AuthorityReportRecord = {
          id: newId('rpt'),
          tenantId,
          caseId: c.id,
          authority,
          subjectId: accusedId,
          priority,
          status: filedAt < now ? 'filed' : 'queued',
          body: { seeded: true },
          progress: {},
          externalId: filedAt < now ? `${authority.toUpperCase()}-${c.id.slice(-6)}` : null,
          attempts: 1,
          nextAttemptAt: null,
          lastError: null,
          createdBy: specialist.id,
          createdAt,
          dueAt: createdAt,
          filedAt: filedAt < now ? filedAt : null,
          keepReferenceUntil: null,
          updatedAt: filedAt,
        };
        await storage.createAuthorityReport(tenantId, report, {
          at: createdAt,
          actor: specialist,
          action: 'report.prepare',
          caseId: c.id,
          targetId: report.id,
          details: { authority, priority },
        });
      }
    }
  }
}
