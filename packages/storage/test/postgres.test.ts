import { openTestPostgres, postgresSkip } from '../src/testing.ts';
import { storageSuite } from './suite.ts';

storageSuite('PostgreSQL (fresh schema)', openTestPostgres, await postgresSkip());
