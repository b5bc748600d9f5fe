import { storageSuite } from './suite.ts';
import { openTestPostgres, postgresUnavailable } from './pgfixture.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`# skipping PostgreSQL storage tests: ${unavailable}`);
storageSuite('PostgreSQL (fresh schema)', openTestPostgres, unavailable ?? undefined);
