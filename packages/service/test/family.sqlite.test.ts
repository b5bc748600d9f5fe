import { familySuite } from './family.suite.ts';

familySuite('sqlite');
