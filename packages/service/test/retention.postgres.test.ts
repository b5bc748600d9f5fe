import { postgresUnavailable } from '@lifeguard/storage/testing';
import { retentionSuite } from './retention.suite.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`# skipping PostgreSQL retention tests: ${unavailable}`);
retentionSuite('postgres', unavailable ?? undefined);
