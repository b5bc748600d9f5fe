import { openTestSqlite } from '../src/testing.ts';
import { storageSuite } from './suite.ts';

storageSuite('SQLite (temp file)', openTestSqlite);
