import { postgresUnavailable } from '@lifeguard/storage/testing';
import { banEvasionSuite } from './banEvasion.suite.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`# skipping PostgreSQL ban-evasion tests: ${unavailable}`);
banEvasionSuite('postgres', unavailable ?? undefined);
