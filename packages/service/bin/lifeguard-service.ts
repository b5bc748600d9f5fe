// The service's commands on their own (the full CLI in packages/cli registers the same ones):
//   node --import tsx packages/service/bin/lifeguard-service.ts serve|keys|demo ...
import { Command } from 'commander';
import { registerServiceCommands } from '../src/cli.ts';

const program = new Command('lifeguard').description('Lifeguard child-safety service');
registerServiceCommands(program);
await program.parseAsync(process.argv);
