import { postgresUnavailable } from '@lifeguard/storage/testing';
import { consoleSuite } from './console.suite.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`# skipping PostgreSQL console tests: ${unavailable}`);
consoleSuite('postgres', unavailable ?? undefined);
