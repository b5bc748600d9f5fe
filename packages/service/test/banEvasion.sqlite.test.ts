import { banEvasionSuite } from './banEvasion.suite.ts';

banEvasionSuite('sqlite');
