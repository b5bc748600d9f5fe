// `lifeguard evidence verify` and `lifeguard evidence export CASE`, run where the database and the
// evidence key are. verify exits 1 when it finds a problem; export writes one JSON file (mode 0600).
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL } from '@lifeguard/core';
import type { Storage } from '@lifeguard/storage';
import { type EvidenceExport, EvidenceVault } from './evidenceVault.ts';
import { EvidenceSigner, loadOrCreateKeyFile } from './signingKey.ts';

export interface CliHelpers {
  defaultDatabase: () => string;
  lifeguardHome: () => string;
  openOrExit: (database: string) => Promise<Storage>;
  refuse: (message: string) => never;
}

export function defaultEvidenceKey(home: string): string {
  return process.env.LIFEGUARD_EVIDENCE_KEY ?? join(home, 'evidence-key.pem');
}

export function registerEvidenceCommands(program: Command, h: CliHelpers): void {
  const evidence = program
    .command('evidence')
    .description('check and export preserved evidence (run where the database and the evidence key are)');
  const common = (cmd: Command) =>
    cmd
      .requiredOption('--tenant <id>', 'platform (tenant) id')
      .option(
        '--database <path-or-url>',
        'SQLite file or postgres:// URL',
        process.env.LIFEGUARD_DATABASE ?? h.defaultDatabase(),
      )
      .option(
        '--evidence-key <file>',
        "the deployment's Ed25519 evidence key (PEM)",
        defaultEvidenceKey(h.lifeguardHome()),
      );

  const open = async (opts: { database: string; evidenceKey: string }) => {
    let signer: EvidenceSigner;
    try {
      signer = new EvidenceSigner(loadOrCreateKeyFile(opts.evidenceKey));
    } catch (err) {
      h.refuse(`cannot use the evidence key ${opts.evidenceKey}: ${(err as Error).message}`);
    }
    const storage = await h.openOrExit(opts.database);
    return { storage, vault: new EvidenceVault(storage, signer, { software: 'lifeguard cli', model: DEFAULT_MODEL }) };
  };
  const cliActor = () => ({ system: `cli:${userInfo().username}` });

  common(evidence.command('verify'))
    .description(
      "recompute every evidence package's digest, check signatures and the audit chain; exit 1 on any problem",
    )
    .option('--case <id>', 'only this case')
    .option('--json', 'print the whole result as JSON')
    .action(async (opts: { tenant: string; database: string; evidenceKey: string; case?: string; json?: boolean }) => {
      const { storage, vault } = await open(opts);
      try {
        const result = await vault.verify(opts.tenant, opts.case);
        await storage.appendAudit(opts.tenant, {
          at: Date.now(),
          actor: cliActor(),
          action: 'evidence.verify',
          caseId: opts.case ?? null,
          targetId: null,
          details: { ok: result.ok, problems: result.problemCount },
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          process.stdout.write(
            `${result.ok ? 'ok' : 'PROBLEMS FOUND'}: ${result.packages} evidence packages (${result.purged} with content removed by retention), ${result.auditEntries} audit entries, checked in ${result.ms} ms\n`,
          );
          for (const p of result.problems) process.stdout.write(`  ${p.kind}: ${p.message}\n`);
          if (result.problemCount > result.problems.length)
            process.stdout.write(`  ... and ${result.problemCount - result.problems.length} more\n`);
        }
        process.exitCode = result.ok ? 0 : 1;
      } finally {
        await storage.close();
      }
    });

  common(evidence.command('export').argument('<case>', 'case id'))
    .description(
      'write everything preserved about one case (packages, public keys, holds, reports, audit trail, verification) to a JSON file',
    )
    .option('--out <file>', 'where to write it (default: evidence-<case>.json)')
    .action(async (caseId: string, opts: { tenant: string; database: string; evidenceKey: string; out?: string }) => {
      const { storage, vault } = await open(opts);
      try {
        let out: EvidenceExport;
        try {
          out = await vault.exportCase(opts.tenant, caseId, cliActor());
        } catch (err) {
          h.refuse((err as Error).message);
        }
        const file = opts.out ?? `evidence-${caseId}.json`;
        writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
        process.stderr.write(
          `wrote ${file}: ${out.packages.length} packages; verification ${out.verification.ok ? 'ok' : `found ${out.verification.problemCount} problems`}\n`,
        );
        process.exitCode = out.verification.ok ? 0 : 1;
      } finally {
        await storage.close();
      }
    });
}
