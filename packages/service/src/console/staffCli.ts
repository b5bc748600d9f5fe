// `lifeguard staff add`: the first admin of a tenant (later ones are made in the console). The password
// is read from stdin (piped) or asked for without echo; it never appears in the process list.
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { STAFF_ROLES, type Storage, type StaffRole } from '@lifeguard/storage';
import { createStaff } from './api.ts';
import { ApiError } from '../http/errors.ts';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  process.stderr.write('password (at least 12 characters): ');
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

export function registerStaffCommands(
  program: Command,
  helpers: {
    defaultDatabase: () => string;
    openOrExit: (database: string) => Promise<Storage>;
    refuse: (message: string) => never;
  },
): void {
  const staff = program
    .command('staff')
    .description('manage moderator console accounts (run where the database is reachable)');
  staff
    .command('add')
    .description('create a staff account; the password is read from stdin or asked for')
    .requiredOption('--tenant <id>', 'platform (tenant) id; created if new')
    .requiredOption('--email <email>', 'sign-in email (unique within the tenant)')
    .requiredOption('--name <name>', 'name shown in the console and the audit log')
    .option('--role <role>', `one of ${STAFF_ROLES.join(', ')}`, 'admin')
    .option(
      '--database <path-or-url>',
      'SQLite file or postgres:// URL',
      process.env.LIFEGUARD_DATABASE ?? helpers.defaultDatabase(),
    )
    .action(async (opts: { tenant: string; email: string; name: string; role: string; database: string }) => {
      if (!(STAFF_ROLES as readonly string[]).includes(opts.role))
        helpers.refuse(`--role must be one of ${STAFF_ROLES.join(', ')} (got "${opts.role}")`);
      const password = await readPassword();
      const storage = await helpers.openOrExit(opts.database);
      try {
        if (!(await storage.getTenant(opts.tenant))) await storage.createTenant(opts.tenant, opts.tenant);
        const user = await createStaff(
          { storage },
          opts.tenant,
          { email: opts.email, name: opts.name, role: opts.role as StaffRole, password },
          { system: 'cli' },
        );
        process.stdout.write(`${user.id}\n`);
        process.stderr.write(`created ${user.role} ${user.email} for tenant ${user.tenantId}; sign in at /console/\n`);
      } catch (err) {
        if (err instanceof ApiError)
          helpers.refuse(`${err.message}${err.problems ? `: ${err.problems.join('; ')}` : ''}`);
        throw err;
      } finally {
        await storage.close();
      }
    });
}
