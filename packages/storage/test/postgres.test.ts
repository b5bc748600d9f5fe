import { openTestPostgres, postgresSkip } from '../src/testing.ts';
import { storageSuite } from './suite.ts';
import { familyStorageSuite } from './familySuite.ts';

const skip = await postgresSkip();
storageSuite('PostgreSQL (fresh schema)', openTestPostgres, skip);
familyStorageSuite('PostgreSQL (fresh schema)', openTestPostgres, skip);
