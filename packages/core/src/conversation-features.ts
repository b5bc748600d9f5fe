// The feature vector of one suspect against one target, for the model, and the facts the
// escalation rules (escalation.ts) read from it.
import { strongestRule, type EscalationFacts, type EscalationRule } from './escalation.ts';
import { CONVERSATION_FEATURES } from './model.ts';
import { GROOMING_STAGES, type SignalKind } from './reports.ts';
import { NUM_SIGNALS, S, STAGE_BIT, type ConversationState, type ParticipantState } from './state.ts';
import { ageOf, isMinorOf, isPeerOf, minorStrength } from './ages.ts';
import { wordingOf } from './wording.ts';

/** Wording logits are divided by this for the model, and the result capped at WORDING_CLIP. */
const WORDING_SCALE = 5;
const WORDING_CLIP = 1;

const F = Object.fromEntries(CONVERSATION_FEATURES.map((f, i) => [f, i])) as Record<
  (typeof CONVERSATION_FEATURES)[number],
  number
>;

export function conversationFeatures(
  c: ConversationState,
  suspect: ParticipantState,
  target: ParticipantState | null,
  totalSignals: number,
): Float64Array {
  const f = new Float64Array(CONVERSATION_FEATURES.length);
  const sig = suspect.signals as Float32Array;
  const l = (k: SignalKind) => Math.log1p(sig[S[k]] as number);
  const suspectAge = ageOf(suspect.actor);
  const targetAge = target ? ageOf(target.actor) : null;
  let targetMinor = target ? minorStrength(target.actor) : 0;
  // Talk aimed at a child (their age, school, parents being home, secrecy from them) implies a
  // child on the other side even when no age was ever stated.
  if (targetMinor < 0.5 && target && isMinorOf(target.actor) !== false) {
    // Age and location questions alone open adult chats too ("asl", "where u from"), so a
    // secrecy or parents/alone cue must be one of the two.
    const secrecy = (sig[S.secrecy] as number) > 0.05;
    const riskCheck = (suspect.stages & (STAGE_BIT.get('risk_assessment') as number)) !== 0;
    let childDirected = (secrecy ? 1 : 0) + (riskCheck ? 1 : 0);
    if ((sig[S.age_probe] as number) > 0.05) childDirected++;
    if ((sig[S.personal_info] as number) > 0.05) childDirected++;
    if (childDirected >= 2 && (secrecy || riskCheck)) targetMinor = 0.5;
  }
  f[F.target_minor] = targetMinor;
  f[F.suspect_adult] = suspectAge.isMinor === false ? 1 : 0;
  const peer = isPeerOf(suspectAge, targetAge);
  f[F.suspect_minor] = peer ? 1 : 0;
  if (suspectAge.age !== null && targetAge?.age != null)
    f[F.age_gap] = Math.min(3, Math.max(0, (suspectAge.age - targetAge.age) / 10));
  else if (suspectAge.isMinor === false && targetAge?.isMinor === true) f[F.age_gap] = 0.5;
  f[F.age_probe] = l('age_probe');
  f[F.personal_info] = l('personal_info');
  f[F.platform_move] = Math.log1p((sig[S.platform_move] as number) + (sig[S.phone_number] as number));
  f[F.secrecy] = l('secrecy');
  // The isolation signal carries two stages; the stage bits tell them apart.
  const riskBit = STAGE_BIT.get('risk_assessment') as number;
  const isoBit = STAGE_BIT.get('isolation') as number;
  const iso = l('isolation');
  f[F.risk_assessment] = suspect.stages & riskBit ? iso : 0;
  f[F.isolation] = suspect.stages & isoBit && !(suspect.stages & riskBit) ? iso : 0;
  f[F.flattery] = l('flattery');
  f[F.relationship] = l('relationship');
  f[F.gift_money] = Math.log1p((sig[S.gift] as number) + (sig[S.money] as number));
  f[F.image_request] = l('image_request');
  f[F.meeting] = l('meeting');
  f[F.sexualisation] = l('sexualisation');
  f[F.sextortion_leverage] = l('sextortion_leverage');
  f[F.sextortion_threat] = l('sextortion_threat');
  f[F.sextortion_payment] = l('sextortion_payment');
  f[F.sextortion_deadline] = l('sextortion_deadline');
  let stages = 0;
  for (let bits = suspect.stages; bits; bits &= bits - 1) stages++;
  f[F.stages_reached] = stages / GROOMING_STAGES.length;
  const has = (k: SignalKind) => (sig[S[k]] as number) > 0.05;
  const leverage = has('sextortion_leverage');
  const threat = has('sextortion_threat');
  const payment = has('sextortion_payment');
  f[F.sextortion_script] = Math.min(
    2,
    (leverage && threat ? 1 : 0) +
      (threat && payment ? 1 : 0) +
      (has('sextortion_deadline') && (threat || payment) ? 0.5 : 0),
  );
  // Between children, "pay me or i leak your base" is banter; the script is sextortion when
  // images are part of it.
  const images =
    has('image_request') ||
    has('sexualisation') ||
    suspect.sentImages > 0 ||
    (target !== null && target.sentImages > 0);
  // Without images, leverage and threats are mostly doxxing banter between young gamers ("i know
  // where u live, im leaking ur search history"): zero between known children, half otherwise.
  if (!images) f[F.sextortion_script] = (f[F.sextortion_script] as number) * (peer && !suspect.actor.ageLie ? 0 : 0.5);
  f[F.target_distress] = target?.signals ? Math.log1p(target.signals[S.distress] as number) : 0;
  const people = c.participants.length + c.extraParticipants;
  f[F.one_to_one] = people === 2 ? 1 : 0;
  f[F.group_size] = people > 2 ? Math.log2(people) - 1 : 0;
  f[F.minor_x_grooming] = (targetMinor * stages) / 4;
  const own = riskSignalTotal(sig);
  f[F.asymmetry] = totalSignals > 0 ? own / totalSignals : 0;
  // Read only once the suspect shows a grooming or sextortion step: wording alone never scores.
  // Measured against the other side's: friends who joke alike ("dont tell your mom lol" / "send
  // me a pic of the puppy") write alike, while a child answering an offender does not.
  if (suspect.stages !== 0) {
    const contrast = wordingOf(suspect.wordingTop) - (target ? wordingOf(target.wordingTop) : 0);
    // Not between children of about one age (unless one lied about it): teens write to each
    // other much as offenders write to them.
    const peers = peer && !suspect.actor.ageLie;
    if (contrast > 0 && !peers) f[F.offender_wording] = Math.min(WORDING_CLIP, contrast / WORDING_SCALE);
  }
  return f;
}

export const EMPTY_FEATURES = new Float64Array(CONVERSATION_FEATURES.length);

/**
 * A participant's signals that carry risk: not their own age or their distress, which are
 * answers ("im 14", "pls wait"), so a child answering does not make the talk look mutual.
 */
const RESPONSE_KINDS = [S.age_disclosure_minor, S.age_disclosure_adult, S.distress] as const;
export function riskSignalTotal(sig: Float32Array): number {
  let total = 0;
  for (let i = 0; i < NUM_SIGNALS; i++) total += sig[i] as number;
  for (const k of RESPONSE_KINDS) total -= sig[k] as number;
  return total;
}
const MEDIA_WORDS = /\b(pics?|photos?|videos?|vids?|nudes?|selfies?|screenshots?|recordings?|images?|sent|showed)\b/i;
/** Share of a conversation's signals the suspect must carry for it to count as one-sided. */
const ONE_SIDED_SHARE = 0.8;
const SEXTORTION_KINDS: readonly SignalKind[] = [
  'sextortion_leverage',
  'sextortion_threat',
  'sextortion_payment',
  'sextortion_deadline',
];

/** The strongest escalation rule for this suspect and target (see escalation.ts), or null. */
export function escalation(
  suspect: ParticipantState,
  target: ParticipantState | null,
  f: Float64Array,
  c: ConversationState,
): EscalationRule | null {
  const sig = suspect.signals as Float32Array;
  const has = (k: SignalKind) => ((sig[S[k]] as number) > 0.05 ? 1 : 0);
  let steps = 0;
  for (const k of SEXTORTION_KINDS) steps += has(k);
  if (steps === 0 && (suspect.stages & ~(STAGE_BIT.get('access') as number)) === 0) return null;
  let stagesBeyondAccess = 0;
  for (let bits = suspect.stages & ~(STAGE_BIT.get('access') as number); bits; bits &= bits - 1) stagesBeyondAccess++;
  const suspectAge = ageOf(suspect.actor);
  const targetAge = target ? ageOf(target.actor) : null;
  const facts: EscalationFacts = {
    sextortion_steps: steps,
    sextortion_core: has('sextortion_leverage') || has('sextortion_threat') ? 1 : 0,
    target_minor: f[F.target_minor] as number,
    target_adult: targetAge?.isMinor === false && (target ? minorStrength(target.actor) : 0) === 0 ? 1 : 0,
    suspect_adult: suspectAge.isMinor === false ? 1 : 0,
    suspect_not_minor:
      (suspectAge.isMinor !== true && minorStrength(suspect.actor) < 0.5) ||
      suspect.actor.ageLie ||
      (suspectAge.isMinor === true && f[F.suspect_minor] === 0) // an older child, not a peer
        ? 1
        : 0,
    stages_beyond_access: stagesBeyondAccess,
    sexualisation: has('sexualisation'),
    image_request: has('image_request'),
    risk_check: suspect.stages & (STAGE_BIT.get('risk_assessment') as number) ? 1 : 0,
    secrecy: has('secrecy'),
    meeting: has('meeting'),
    age_lie: suspect.actor.ageLie ? 1 : 0,
    gift: has('gift') || has('money') ? 1 : 0,
    one_sided: (f[F.asymmetry] as number) >= ONE_SIDED_SHARE ? 1 : 0,
    // Sextortion runs on images: asked for, talked about, or sent by the target.
    image_context:
      has('image_request') ||
      has('sexualisation') ||
      suspect.sentImages > 0 ||
      (target !== null && target.sentImages > 0) ||
      c.evidence?.some(
        (e) =>
          (e.kind === 'sextortion_leverage' || e.kind === 'sextortion_threat') &&
          e.senderId === suspect.actor.userId &&
          MEDIA_WORDS.test(e.excerpt),
      ) === true
        ? 1
        : 0,
    target_distress: target !== null && ((target.signals?.[S.distress] as number | undefined) ?? 0) > 0.05 ? 1 : 0,
  };
  return strongestRule(facts);
}
