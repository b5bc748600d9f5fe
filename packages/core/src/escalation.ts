// Escalation rules: expert minimums on a conversation's score, written as data. The logistic
// model ranks conversations well but accumulates slowly; these rules say when a pattern is
// already enough for a human to look (a sextortion script toward a child, an adult taking a
// child through several grooming stages) so that signs within one session reach an alert.
// Each rule names the facts it needs; the engine computes the facts and explains the rule.

/** Facts about one suspect and target in one conversation, computed by the engine. */
export interface EscalationFacts {
  /** Distinct sextortion steps by the suspect (leverage, threat, payment, deadline): 0..4. */
  sextortion_steps: number;
  /** 1 when those steps include leverage or a threat (not only money talk). */
  sextortion_core: number;
  /** How strongly the target reads as a child: 1 known, 0.5 from cues, 0 unknown or adult. */
  target_minor: number;
  /** 1 when the target is known to be an adult. */
  target_adult: number;
  /** 1 when the suspect is known to be an adult, or lied about their age. */
  suspect_adult: number;
  /** 1 when the suspect is not a likely child (adult, unknown, or an age lie). */
  suspect_not_minor: number;
  /** Grooming stages the suspect reached beyond first access (trust … sextortion). */
  stages_beyond_access: number;
  sexualisation: number;
  image_request: number;
  risk_check: number;
  secrecy: number;
  meeting: number;
  age_lie: number;
  /** 1 when the suspect offered gifts, game currency or money. */
  gift: number;
  /** 1 when at least 80% of the conversation's signals come from the suspect: not mutual flirting. */
  one_sided: number;
  /** 1 when images are part of it: asked for, sexualised talk, sent by the target, or named in the leverage or threat. */
  image_context: number;
  /** 1 when the target pleads or panics ("pls wait", "im begging u", "i dont have that much"). */
  target_distress: number;
}

export type EscalationFact = keyof EscalationFacts;

export interface EscalationRule {
  id: string;
  /** The score the conversation reaches at least when every condition holds. */
  floor: number;
  /** The sentence a moderator reads. */
  reason: string;
  /** Every fact must be at least this value. */
  atLeast: Partial<Record<EscalationFact, number>>;
  /** Every fact must be at most this value. */
  atMost?: Partial<Record<EscalationFact, number>>;
  /** At least one of these facts must be positive (when given). */
  anyOf?: EscalationFact[];
}

export const ESCALATION_RULES: readonly EscalationRule[] = [
  {
    id: 'sextortion_script_child',
    floor: 0.8,
    reason: 'two or more steps of the sextortion script (holding images, threats, payment, a deadline) toward a child',
    atLeast: { sextortion_steps: 2, sextortion_core: 1, target_minor: 0.5, suspect_not_minor: 1, image_context: 1 },
  },
  {
    // Between children, threats and "pay me" are mostly banter ("give me 5 diamonds or i leak
    // your base"); with images in it, it is sextortion whoever does it.
    id: 'sextortion_script_images',
    floor: 0.8,
    reason: 'two or more steps of the sextortion script around images toward a child',
    atLeast: { sextortion_steps: 2, sextortion_core: 1, target_minor: 0.5, image_context: 1 },
  },
  {
    id: 'sextortion_script',
    floor: 0.65,
    reason: 'two or more steps of the sextortion script (holding images, threats, payment, a deadline)',
    atLeast: { sextortion_steps: 2, sextortion_core: 1, image_context: 1 },
    atMost: { target_adult: 0 },
  },
  {
    // A countdown names no picture ("4 minute. after i send to ur school group"); the target's
    // pleading, with every threat from one side, is what tells it from banter between friends.
    id: 'sextortion_against_pleading_target',
    floor: 0.7,
    reason: 'threats with a demand or a deadline, all from one side, while the other pleads or panics',
    atLeast: { sextortion_steps: 2, sextortion_core: 1, target_distress: 1, one_sided: 1 },
    atMost: { target_adult: 0 },
  },
  {
    id: 'adult_grooming_child',
    floor: 0.7,
    reason: 'an adult took a child through three or more grooming stages',
    atLeast: { suspect_adult: 1, target_minor: 1, stages_beyond_access: 3 },
  },
  {
    id: 'sexualised_talk_to_child',
    floor: 0.65,
    reason: 'sexualised talk toward a child, with checks that the child is alone, secrecy, pictures or a meeting',
    atLeast: { suspect_not_minor: 1, target_minor: 0.5, sexualisation: 1 },
    anyOf: ['image_request', 'risk_check', 'secrecy', 'meeting', 'age_lie'],
  },
  {
    // Pictures traded for gifts under secrecy, or "are you alone / what are you wearing / show
    // me": predatory scripts whatever the other's age turns out to be.
    id: 'secret_pictures_for_gifts',
    floor: 0.6,
    reason: 'asked for pictures in exchange for gifts or money, and for secrecy',
    atLeast: { suspect_not_minor: 1, secrecy: 1, image_request: 1, gift: 1 },
    atMost: { target_adult: 0 },
  },
  {
    id: 'alone_wearing_show',
    floor: 0.6,
    reason: 'checked the other is alone, asked what they are wearing and for pictures or the camera',
    atLeast: { suspect_not_minor: 1, risk_check: 1, sexualisation: 1, image_request: 1 },
    atMost: { target_adult: 0 },
  },
  {
    id: 'age_lie_grooming',
    floor: 0.65,
    reason: 'lied about their age to a child and took the child through grooming stages',
    atLeast: { age_lie: 1, target_minor: 0.5, stages_beyond_access: 2 },
  },
  {
    id: 'grooming_child_early',
    floor: 0.6,
    reason: 'grooming stages toward a child that include checking they are alone or sexualised talk',
    atLeast: { suspect_not_minor: 1, target_minor: 1, stages_beyond_access: 2 },
    anyOf: ['risk_check', 'sexualisation'],
  },
  {
    // Without a stated age, the grooming pattern itself (checks on parents, secrecy from them)
    // is what says the other side is a child.
    id: 'grooming_likely_child',
    floor: 0.6,
    reason:
      'three or more grooming stages, including checking they are alone, sexualised talk or a meeting, toward someone talked to as a child',
    atLeast: { suspect_not_minor: 1, target_minor: 0.5, stages_beyond_access: 3 },
    anyOf: ['risk_check', 'meeting', 'sexualisation'],
  },
  // The other's age is often unknown (no account age, never typed): secrecy joined to pictures, a
  // meeting, sexualised talk or checks that they are alone, all from one side, is grooming's core
  // whatever the age. Mutual teenage flirting shares its signals, so it is not one-sided.
  {
    id: 'one_sided_secrecy_and_contact',
    floor: 0.55,
    reason:
      'asked for secrecy along with pictures, a meeting, sexualised talk or checks that the other is alone, all from one side',
    atLeast: { suspect_not_minor: 1, secrecy: 1, one_sided: 1, stages_beyond_access: 3 },
    atMost: { target_adult: 0 },
    anyOf: ['image_request', 'meeting', 'sexualisation', 'risk_check'],
  },
  {
    id: 'adult_secret_meeting_child',
    floor: 0.7,
    reason: 'an adult proposed meeting a child and asked for secrecy',
    atLeast: { suspect_adult: 1, target_minor: 0.5, secrecy: 1, meeting: 1 },
  },
  {
    id: 'grooming_child_many_stages',
    floor: 0.6,
    reason: 'four or more grooming stages toward a child',
    atLeast: { suspect_not_minor: 1, target_minor: 1, stages_beyond_access: 4 },
  },
];

/** The strongest rule whose conditions hold, or null. */
export function strongestRule(
  facts: EscalationFacts,
  rules: readonly EscalationRule[] = ESCALATION_RULES,
): EscalationRule | null {
  let best: EscalationRule | null = null;
  for (const rule of rules) {
    if (best !== null && rule.floor <= best.floor) continue;
    let holds = true;
    for (const [fact, min] of Object.entries(rule.atLeast) as [EscalationFact, number][])
      if (facts[fact] < min) {
        holds = false;
        break;
      }
    if (holds && rule.atMost)
      for (const [fact, max] of Object.entries(rule.atMost) as [EscalationFact, number][])
        if (facts[fact] > max) {
          holds = false;
          break;
        }
    if (holds && rule.anyOf && !rule.anyOf.some((fact) => facts[fact] > 0)) holds = false;
    if (holds) best = rule;
  }
  return best;
}

/** Static checks, as the lexicon has: known facts, floors in (0, 1), unique ids. */
export function checkRules(rules: readonly EscalationRule[]): void {
  const known = new Set<string>([
    'sextortion_steps',
    'sextortion_core',
    'target_minor',
    'target_adult',
    'suspect_adult',
    'suspect_not_minor',
    'stages_beyond_access',
    'sexualisation',
    'image_request',
    'risk_check',
    'secrecy',
    'meeting',
    'age_lie',
    'image_context',
    'gift',
    'one_sided',
    'target_distress',
  ]);
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new Error(`escalation rule ${rule.id}: duplicate id`);
    ids.add(rule.id);
    if (!(rule.floor > 0 && rule.floor < 1))
      throw new Error(`escalation rule ${rule.id}: floor must be between 0 and 1`);
    for (const fact of [...Object.keys(rule.atLeast), ...Object.keys(rule.atMost ?? {}), ...(rule.anyOf ?? [])]) {
      if (!known.has(fact)) throw new Error(`escalation rule ${rule.id}: unknown fact "${fact}"`);
    }
  }
}
