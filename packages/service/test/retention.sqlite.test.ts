import { retentionSuite } from './retention.suite.ts';

retentionSuite('sqlite');
