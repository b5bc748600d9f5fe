import { openTestPostgres, postgresUnavailable } from '../src/testing.ts';
import { storageSuite } from './suite.ts';
import { familyStorageSuite } from './familySuite.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`# skipping PostgreSQL storage tests: ${unavailable}`);
storageSuite('PostgreSQL (fresh schema)', openTestPostgres, unavailable ?? undefined);
familyStorageSuite('PostgreSQL (fresh schema)', openTestPostgres, unavailable ?? undefined);
